// JSON.parse keeps the last of two equal keys without a word, so `{"a":"1","a":"2"}`
// would silently lose a label. This single pass over the text finds such keys and
// names their path (e.g. series[3].labels.model) so the sender can be told.
// Call it on text that JSON.parse already accepted: it does not validate syntax.

interface Frame {
  keys: Set<string> | null; // null for arrays
  index: number; // array element index, or -1
  key: string | null; // current key in an object
}

function pathOf(stack: Frame[]): string {
  let out = "";
  for (const f of stack) {
    if (f.keys === null) out += `[${f.index}]`;
    else if (f.key !== null) out += /^[A-Za-z_$][\w$]*$/.test(f.key) ? (out ? "." : "") + f.key : `[${JSON.stringify(f.key)}]`;
  }
  return out;
}

/** Keys written in the text: the colons outside strings (JSON has no other). */
function keysInText(text: string): number {
  let n = 0;
  let i = 0;
  for (;;) {
    const q = text.indexOf('"', i);
    const end = q < 0 ? text.length : q;
    for (let c = i; c < end; c++) if (text.charCodeAt(c) === 0x3a /* : */) n++;
    if (q < 0) return n;
    // Past the string: its closing quote is the next one after an even run of backslashes.
    i = q + 1;
    for (;;) {
      const z = text.indexOf('"', i);
      if (z < 0) return n;
      let b = z - 1;
      while (b >= i && text.charCodeAt(b) === 0x5c) b--;
      i = z + 1;
      if ((z - 1 - b) % 2 === 0) break;
    }
  }
}

/** Keys of the parsed value, all objects together. */
function keysInValue(v: unknown): number {
  if (typeof v !== "object" || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += keysInValue(x);
  else
    for (const k in v) {
      n++;
      n += keysInValue((v as Record<string, unknown>)[k]);
    }
  return n;
}

/**
 * The paths of keys that appear twice in one object. With `parsed` (what
 * JSON.parse made of the text), first a cheap test: a repeated key is the only
 * way the parsed value can hold fewer keys than the text names, so when the
 * counts agree there is nothing to find and the full scan is skipped.
 */
export function findDuplicateKeys(text: string, max = 100, parsed?: unknown): string[] {
  if (parsed !== undefined && keysInText(text) === keysInValue(parsed)) return [];
  const found: string[] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      // The closing quote is the next one not escaped (preceded by an even run
      // of backslashes); indexOf finds candidates far faster than a char loop.
      const start = i + 1;
      for (;;) {
        const q = text.indexOf('"', i + 1);
        i = q < 0 ? n : q;
        if (q < 0) break;
        let b = q - 1;
        while (b >= start && text.charCodeAt(b) === 0x5c) b--;
        if ((q - 1 - b) % 2 === 0) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top && top.keys) {
        const raw = text.slice(start, i);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) {
          top.key = key;
          found.push(pathOf(stack));
          if (found.length >= max) return found;
        }
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
    } else if (ch === 0x7b /* { */) {
      stack.push({ keys: new Set(), index: -1, key: null });
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push({ keys: null, index: 0, key: null });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top) {
        if (top.keys) expectKey = true;
        else top.index++;
      }
    }
  }
  return found;
}

/**
 * Adds a rejection for each duplicate key in a batch's text and returns the
 * indices of the items (`<list>[i]`) that hold one, to be skipped whole.
 */
export function duplicateKeyRejections(text: string, list: string, hint: string, rejected: { path: string; reason: string }[], parsed?: unknown): Set<number> {
  const skip = new Set<number>();
  const itemRe = new RegExp(`^${list}\\[(\\d+)\\]`);
  for (const path of findDuplicateKeys(text, 100, parsed)) {
    rejected.push({ path, reason: `duplicate key; ${hint}` });
    const item = itemRe.exec(path);
    if (item) skip.add(Number(item[1]));
  }
  return skip;
}
