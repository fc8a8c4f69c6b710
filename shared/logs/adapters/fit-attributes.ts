// Attributes carry everything of a source record that has no column, and must
// fit MAX_ATTRIBUTES_BYTES. A normal payload fits as it is and is kept whole;
// past the limit, long strings are cut first, then the largest parts are
// replaced by a marker with their size, largest first and as deep as needed,
// so what is small (ids, flags, timings) survives what is big. Sizes are JSON
// text lengths, as the ingest check measures them.
import { MAX_ATTRIBUTES_BYTES } from "../../limits";
import { isObject, type Json } from "./values";

/** Strings longer than this are the first thing cut when attributes are over the limit. */
export const MAX_ATTRIBUTE_STRING = 1024;

/** What stands in for a part too large to keep. */
export const omitted = (bytes: number) => ({ _omitted_bytes: bytes });
const MARKER_BYTES = JSON.stringify(omitted(1_000_000_000)).length;

const size = (v: unknown) => JSON.stringify(v)?.length ?? 0;

/** The JSON text size of a message or response body, which is kept as a size only. */
export const bodyBytes = (v: unknown) => (typeof v === "string" ? v.length : size(v));

function cutStrings(v: unknown): unknown {
  if (typeof v === "string") return v.length > MAX_ATTRIBUTE_STRING ? `${v.slice(0, MAX_ATTRIBUTE_STRING)}…[${v.length - MAX_ATTRIBUTE_STRING} more characters]` : v;
  if (Array.isArray(v)) return v.map(cutStrings);
  if (isObject(v)) {
    const out: Json = {};
    for (const k of Object.keys(v)) out[k] = cutStrings(v[k]);
    return out;
  }
  return v;
}

/** `v` (an object or array) made at most `budget` long by replacing its largest members, each once. */
function shrink(v: Json | unknown[], budget: number): Json | unknown[] {
  const out: Json | unknown[] = Array.isArray(v) ? [...v] : { ...v };
  const slots = out as Record<string | number, unknown>;
  const members = (Array.isArray(out) ? out.map((_, i) => i) : Object.keys(out)).map((k) => ({ k, bytes: size(slots[k]) }));
  members.sort((a, b) => b.bytes - a.bytes);
  let total = size(out);
  for (const { k, bytes } of members) {
    if (total <= budget || bytes <= MARKER_BYTES) break; // what is left is small: the caller reports the size
    const child = slots[k];
    const room = bytes - (total - budget);
    const next = (isObject(child) || Array.isArray(child)) && room > MARKER_BYTES * 2 ? shrink(child, room) : omitted(bytes);
    const now = size(next);
    const kept = now < bytes ? next : omitted(bytes);
    slots[k] = kept;
    total += (kept === next ? now : MARKER_BYTES) - bytes; // separators and keys are unchanged
  }
  return out;
}

/**
 * The attributes within `budget`, whole when they fit. When they cannot be made
 * to fit (thousands of small keys), they are returned as far as they shrank and
 * the ingest check refuses the record with the size.
 */
export function fitAttributes(attributes: Json, budget = MAX_ATTRIBUTES_BYTES): Json {
  if (size(attributes) <= budget) return attributes;
  const cut = cutStrings(attributes) as Json;
  if (size(cut) <= budget) return cut;
  return shrink(cut, budget) as Json;
}
