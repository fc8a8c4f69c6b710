// What a failed write tells the aggregator: a data error (the rows can never
// be stored as they are, so retrying cannot help) or anything else (connection
// lost, timeout, ...: retry). The SQLSTATE sits on the driver's error, which
// drizzle wraps as `cause`.

/** The error and its causes, outermost first (a few levels: drizzle wraps the driver's error once). */
function* causeChain(err: unknown): Generator<unknown> {
  let e = err;
  for (let depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) yield e;
}

const codeOf = (e: unknown) => (e as { code?: unknown }).code;
const isSqlState = (code: unknown): code is string => typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);

/** The SQLSTATE of a Postgres error, looked up along the cause chain. */
export function sqlState(err: unknown): string | undefined {
  for (const e of causeChain(err)) {
    const code = codeOf(e);
    if (isSqlState(code)) return code;
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
  let innermost = err;
  for (const e of causeChain(err)) {
    const code = codeOf(e);
    if (typeof code === "string") return `${(e as Error).message} (${isSqlState(code) ? "SQLSTATE " : ""}${code})`;
    innermost = e;
  }
  return innermost instanceof Error ? innermost.message : String(innermost);
}
