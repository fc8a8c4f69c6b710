// Runs probe requests: a number of them, or for a duration, with a fixed number
// in flight (1 for a latency profile). Each worker takes the next request as
// soon as its last one ends, as k6's constant-VUs executor does, so the
// concurrency is held, not the arrival rate.
import type { CompletionResult } from "./openai-client";

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
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, worker));
  return { results, wallMs: performance.now() - t0 };
}
