// Query limits and cancellation: sample budget, timeout, abort signal. Defaults
// are Prometheus's (50M samples, 2m timeout, 5m lookback, 11,000 points).
import { PromQLError } from "./errors";

export const DEFAULT_LOOKBACK_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_SAMPLES = 50_000_000;
export const DEFAULT_TIMEOUT_MS = 2 * 60 * 1000;
/** Prometheus's default global evaluation_interval, used as the step of `[range:]` subqueries. */
export const DEFAULT_SUBQUERY_STEP_MS = 60 * 1000;
export const MAX_POINTS_PER_SERIES = 11_000;

export interface QueryOptions {
  /** How far back an instant selector looks for a sample (default 5m). */
  lookbackDeltaMs?: number;
  /** Most samples a query may hold in memory (default 50,000,000). */
  maxSamples?: number;
  /** Evaluation deadline (default 2 minutes). */
  timeoutMs?: number;
  /** Abort to cancel the query; checked between fetches and during evaluation. */
  signal?: AbortSignal;
  /** Step of subqueries written without one, e.g. x[1h:] (default 1m). */
  noStepSubqueryIntervalMs?: number;
}

export class QueryContext {
  readonly lookback: number;
  readonly maxSamples: number;
  readonly noStepSubqueryInterval: number;
  private readonly deadline: number;
  private readonly signal?: AbortSignal;
  private samples = 0;
  private ticks = 0;

  constructor(opts: QueryOptions = {}) {
    this.lookback = opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_MS;
    this.maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.noStepSubqueryInterval = opts.noStepSubqueryIntervalMs ?? DEFAULT_SUBQUERY_STEP_MS;
    this.deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.signal = opts.signal;
  }

  /** Throws on timeout or cancellation. Cheap enough to call per step. */
  check(where = "expression evaluation"): void {
    if (this.signal?.aborted) throw new PromQLError("canceled", `query was canceled in ${where}`);
    if ((++this.ticks & 63) === 0 || where !== "expression evaluation") {
      if (Date.now() > this.deadline) throw new PromQLError("timeout", `query timed out in ${where}`);
    }
  }

  /** Counts samples now held by the query; throws past the limit. */
  addSamples(n: number): void {
    this.samples += n;
    if (this.samples > this.maxSamples) throw tooMany();
  }

  /** Checks a transient load (a range window) against the limit without keeping it. */
  peekSamples(n: number): void {
    if (this.samples + n > this.maxSamples) throw tooMany();
  }
}

function tooMany(): PromQLError {
  return new PromQLError("execution", "query processing would load too many samples into memory in query execution");
}
