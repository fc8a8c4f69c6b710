// A request log's `attributes` must be storable as jsonb and queueable: keys
// and strings storable text (shared/labels textProblem), numbers finite (JSON
// has no Infinity: 1e309 would become null), nesting bounded (5,000 levels
// overflowed the queue's structured clone into a 503 that senders retry for ever).
import { textProblem } from "../../../../shared/labels";
import { MAX_ATTRIBUTES_DEPTH } from "../../../../shared/limits";

export interface AttributesProblem {
  /** Path below the record, e.g. attributes.user["na me"][2]. */
  path: string;
  reason: string;
}

const step = (key: string | number) => (typeof key === "number" ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** The path is kept as a stack of steps and written out only for a problem: most attributes have none. */
function walk(value: unknown, path: (string | number)[], depth: number): string | null {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? `value ${problem}` : null;
  }
  if (typeof value === "number") return Number.isFinite(value) ? null : "number is out of the range of a 64-bit float (e.g. 1e309); send it as a string";
  if (value === null || typeof value !== "object") return null;
  if (depth > MAX_ATTRIBUTES_DEPTH) return `attributes nest deeper than ${MAX_ATTRIBUTES_DEPTH} levels; flatten them`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const p = walk(value[i], path, depth + 1);
      if (p) return p;
      path.pop();
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    path.push(key);
    const problem = textProblem(key);
    if (problem) return `key ${problem}`;
    const p = walk((value as Record<string, unknown>)[key], path, depth + 1);
    if (p) return p;
    path.pop();
  }
  return null;
}

/** The first thing in `attributes` that cannot be stored, or null. */
export function attributesProblem(attributes: Record<string, unknown>): AttributesProblem | null {
  const path: (string | number)[] = [];
  const reason = walk(attributes, path, 1);
  return reason === null ? null : { path: `attributes${path.map(step).join("")}`, reason };
}
