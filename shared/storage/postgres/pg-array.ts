// Postgres array literals built in one pass, for unnest()ed columns: the
// driver's generic array encoder runs two regex replacements and a type check
// per element, which costs more than the statement on wide batches.

/** {1,2.5,NULL}: numbers as JS prints them (Postgres reads them back exactly). */
export function pgNumbers(items: ReadonlyArray<number | null>): string {
  // Without nulls the native join is the fast path.
  if (!items.includes(null)) return `{${items.join(",")}}`;
  let s = "{";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ",";
    const v = items[i];
    s += v === null ? "NULL" : String(v);
  }
  return `${s}}`;
}

export function pgBooleans(items: ReadonlyArray<boolean | null>): string {
  let s = "{";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ",";
    const v = items[i];
    s += v === null ? "NULL" : v ? "t" : "f";
  }
  return `${s}}`;
}

const NEEDS_ESCAPE = /["\\]/;

/** {"a","b \"c\"",NULL}: every element quoted, so no content can be read as syntax. */
export function pgTexts(items: ReadonlyArray<string | null>): string {
  let s = "{";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ",";
    const v = items[i];
    if (v === null) s += "NULL";
    else s += `"${NEEDS_ESCAPE.test(v) ? v.replace(/["\\]/g, "\\$&") : v}"`;
  }
  return `${s}}`;
}
