// Differences between two JSON documents as one line per path, for parity tests
// against a real Prometheus: a key only one side has, a value of another JSON
// type, or another value. Key order is ignored (Go and JS order keys each their
// own way); array order is not.
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const kind = (v: Json) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** `ours` against `theirs`; every line names the path, ours and theirs. */
export function jsonDiff(ours: unknown, theirs: unknown, path = "$"): string[] {
  const a = ours as Json, b = theirs as Json;
  if (kind(a) !== kind(b)) return [`${path}: ours ${kind(a)} ${JSON.stringify(a)}, Prometheus ${kind(b)} ${JSON.stringify(b)}`];
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    if (a.length !== b.length) out.push(`${path}: ours ${a.length} items, Prometheus ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(...jsonDiff(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const out: string[] = [];
    const x = a as Record<string, Json>, y = b as Record<string, Json>;
    for (const k of Object.keys(x)) if (!(k in y)) out.push(`${path}.${k}: ours has it (${JSON.stringify(x[k])}), Prometheus has no such key`);
    for (const k of Object.keys(y)) if (!(k in x)) out.push(`${path}.${k}: Prometheus has it (${JSON.stringify(y[k])}), ours has no such key`);
    for (const k of Object.keys(x)) if (k in y) out.push(...jsonDiff(x[k], y[k], `${path}.${k}`));
    return out;
  }
  return a === b ? [] : [`${path}: ours ${JSON.stringify(a)}, Prometheus ${JSON.stringify(b)}`];
}
