// The request-log API's deadline: 30 s by default (Prometheus's 2 min is
// long for a log search), or less with `timeout` (Prometheus's duration
// syntax; it can only lower the default). Postgres cancels a read at the
// deadline (shared/storage/postgres/deadline.ts): 503 timeout, as the PromQL
// routes answer, with nothing left running.
import { StatementDeadlineError } from "../../../shared/storage/postgres/deadline";
import { ApiError } from "./envelope";
import { parseDuration, type Params } from "./params";

export const LOG_API_TIMEOUT_MS = 30_000;
/** A Postgres that does not answer at all (not even its cancellation) is given up on this long after the deadline. */
const GRACE_MS = 1_000;

export function logTimeout(params: Params): number {
  const raw = params.get("timeout");
  if (raw === undefined || raw === "") return LOG_API_TIMEOUT_MS;
  return Math.min(LOG_API_TIMEOUT_MS, parseDuration(raw, "timeout"));
}

const timedOut = (ms: number) =>
  new ApiError("timeout", `request-log query timed out after ${ms / 1000}s: narrow start/end or add filters (timeout= can only lower the ${LOG_API_TIMEOUT_MS / 1000}s default)`);

/** Runs one store call within timeoutMs (a timeout of 0 or less has already passed). */
export async function withinDeadline<T>(timeoutMs: number, call: (timeoutMs: number) => Promise<T>): Promise<T> {
  if (!(timeoutMs > 0)) throw timedOut(Math.max(0, timeoutMs));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const backstop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(timeoutMs)), timeoutMs + GRACE_MS);
  });
  try {
    return await Promise.race([call(timeoutMs), backstop]);
  } catch (err) {
    if (err instanceof StatementDeadlineError) throw timedOut(timeoutMs);
    throw err;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
