// Time until queryable: a marker sample and a marker request-log record are
// sent now and then during the run (and once after it, when the backlog the
// load left in the queue has drained), and each is polled for through the
// query API (/api/v1/query for the series, /api/v1/requests/<id> for the
// record) until it shows, so the figure is what a dashboard user waits, end to end.
import { setTimeout as sleep } from "node:timers/promises";
import { ApiFailure, apiGet, type ApiTarget } from "../commands/api-client";

export interface Visibility {
  kind: "samples" | "logs";
  seq: number;
  /** Sent after the load had ended. */
  final: boolean;
  /** Milliseconds from the POST's answer to the first poll that saw it; null when it did not show in time. */
  ms: number | null;
  error?: string;
}

const POLL_MS = 100;

type VectorData = { resultType: string; result: unknown[] };

/** Polls until the marker is visible or `timeoutMs` passes; a refusal other than "not there yet" ends the wait with its message. */
export async function waitVisible(
  t: ApiTarget,
  kind: Visibility["kind"],
  what: string,
  acceptedAt: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ ms: number | null; error?: string }> {
  const deadline = acceptedAt + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    try {
      if (kind === "samples") {
        const { data } = await apiGet<VectorData>(t, "/query", { query: what }, signal);
        if (data.result.length > 0) return { ms: Date.now() - acceptedAt };
      } else {
        await apiGet(t, `/requests/${encodeURIComponent(what)}`, {}, signal);
        return { ms: Date.now() - acceptedAt };
      }
    } catch (e) {
      if (signal.aborted) break;
      // 404 not_found is the record not being stored yet; anything else will not get better by waiting.
      if (!(e instanceof ApiFailure && e.status === 404)) return { ms: null, error: (e as Error).message };
    }
    await sleep(POLL_MS, undefined, { signal }).catch(() => {});
  }
  return { ms: null, error: signal.aborted ? "interrupted" : `not visible within ${timeoutMs / 1000}s` };
}
