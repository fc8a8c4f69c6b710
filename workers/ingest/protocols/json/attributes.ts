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

const step = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

function walk(value: unknown, path: string, depth: number): AttributesProblem | null {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? { path, reason: `value ${problem}` } : null;
  }
  if (typeof value === "number") {
    return Number.isFinite(value) ? null : { path, reason: "number is out of the range of a 64-bit float (e.g. 1e309); send it as a string" };
  }
  if (value === null || typeof value !== "object") return null;
  if (depth > MAX_ATTRIBUTES_DEPTH)
    return { path, reason: `attributes nest deeper than ${MAX_ATTRIBUTES_DEPTH} levels; flatten them` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = walk(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const problem = textProblem(key);
    if (problem) return { path: `${path}${step(key)}`, reason: `key ${problem}` };
    const p = walk((value as Record<string, unknown>)[key], `${path}${step(key)}`, depth + 1);
    if (p) return p;
  }
  return null;
}

/** The first thing in `attributes` that cannot be stored, or null. */
export function attributesProblem(attributes: Record<string, unknown>): AttributesProblem | null {
  return walk(attributes, "attributes", 1);
}
