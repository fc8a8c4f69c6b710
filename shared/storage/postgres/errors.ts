// What a failed write tells the aggregator: a data error (the rows can never
// be stored as they are, so retrying cannot help) or anything else (connection
// lost, timeout, ...: retry). The SQLSTATE sits on the driver's error, which
// drizzle wraps as `cause`.

/** The SQLSTATE of a Postgres error, looked up along the cause chain. */
export function sqlState(err: unknown): string | undefined {
  let e = err;
  for (let depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Class 22 (data exception: NUL in text, an integer out of range, invalid
 * json), 23 (integrity: a missing tenant) and 54 (program limit: a row too
 * large). 23505 (unique violation) is left retriable: every write here is
 * ON CONFLICT DO NOTHING, so one can only come from a race that a retry settles.
 * So is 23514: our tables have no CHECK constraints, and "no partition of
 * relation found for row" means retention dropped a day the isolate had cached
 * (the retry re-creates it).
 */
export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  if (!state || state === "23505" || state === "23514") return false;
  return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
}

/**
 * Postgres's own message with its SQLSTATE, or the innermost cause's message
 * (e.g. "Connection terminated unexpectedly"): never drizzle's wrapper, which
 * carries the SQL and its parameters.
 */
export function databaseMessage(err: unknown): string {
  let e = err;
  let innermost = err;
  for (let depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return `${(e as Error).message} (${/^[0-9A-Z]{5}$/.test(code) ? "SQLSTATE " : ""}${code})`;
    innermost = e;
  }
  return innermost instanceof Error ? innermost.message : String(innermost);
}
