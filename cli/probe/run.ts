// Runs probe requests: a number of them, or for a duration, with a fixed number
// in flight (1 for a latency profile). Each worker takes the next request as
// soon as its last one ends, as k6's constant-VUs executor does, so the
// concurrency is held, not the arrival rate. A 429 counts as a failed request
// and its worker waits out the Retry-After before the next one (capped, and
// never past the run's end): hammering a rate-limited server measures only
// the limiter.
import type { CompletionResult } from "./openai-client";

/** The longest a Retry-After is honoured: a server asking for minutes would stall the run. */
export const MAX_RETRY_WAIT_MS = 30_000;

export interface PoolPlan {
  concurrency: number;
  /** Stop after this many requests... */
  requests?: number;
  /** ...or start none after this long (ms); those in flight finish. */
  durationMs?: number;
  signal?: AbortSignal;
}

export interface PoolRun {
  results: CompletionResult[];
  /** First start to last end. */
  wallMs: number;
}

/** How long to wait after `r` before the next request: its Retry-After on a 429, capped and cut at the deadline (performance.now() time). */
export function retryWaitMs(r: CompletionResult, now: number, deadline = Infinity): number {
  if (r.status !== 429 || r.retryAfterMs === undefined) return 0;
  return Math.max(0, Math.min(r.retryAfterMs, MAX_RETRY_WAIT_MS, deadline - now));
}

/** Resolves after ms, or at once when the signal aborts (Ctrl-C must not wait out a Retry-After). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function runPool(plan: PoolPlan, one: (i: number) => Promise<CompletionResult>, onResult?: (r: CompletionResult, done: number) => void): Promise<PoolRun> {
  const t0 = performance.now();
  const deadline = plan.durationMs !== undefined ? t0 + plan.durationMs : Infinity;
  const results: CompletionResult[] = [];
  let next = 0;
  const more = () => !plan.signal?.aborted && (plan.requests === undefined || next < plan.requests) && performance.now() < deadline;
  const worker = async () => {
    while (more()) {
      const r = await one(next++);
      // Cut by Ctrl-C: not the endpoint's failure, and not a figure.
      if (r.errorKind === "aborted") break;
      results.push(r);
      onResult?.(r, results.length);
      if (!more()) break;
      const now = performance.now();
      const wait = retryWaitMs(r, now, deadline);
      // Told to wait until the run is over: this worker is done (a timer may fire a hair early).
      if (wait > 0 && now + wait >= deadline) break;
      await pause(wait, plan.signal);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, worker));
  return { results, wallMs: performance.now() - t0 };
}
