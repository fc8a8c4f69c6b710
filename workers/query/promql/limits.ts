// Query limits and cancellation: sample budget, timeout, abort signal. Defaults
// are Prometheus's (50M samples, 2m timeout, 5m lookback, 11,000 points).
import { PromQLError } from "./errors";

export const DEFAULT_LOOKBACK_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_SAMPLES = 50_000_000;
export const DEFAULT_TIMEOUT_MS = 2 * 60 * 1000;
/** Prometheus's default global evaluation_interval, used as the step of `[range:]` subqueries. */
export const DEFAULT_SUBQUERY_STEP_MS = 60 * 1000;
export const MAX_POINTS_PER_SERIES = 11_000;
/**
 * Work budget per sample allowed (a "step" is one series at one evaluation time,
 * or one sample scanned in a range window). In workerd the clock stands still
 * while JS runs, so the deadline cannot stop a CPU-bound loop; this budget can.
 */
export const STEPS_PER_SAMPLE = 20;
/** Characters of label values that label_join / label_replace may build per query. */
export const DEFAULT_MAX_LABEL_CHARS = 16 * 1024 * 1024;

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
  /** Most evaluation steps (series x times, plus range-window samples) per query (default 20 x maxSamples). */
  maxSteps?: number;
  /** Most characters label_join / label_replace may build per query (default 16 Mi). */
  maxLabelChars?: number;
}

export class QueryContext {
  readonly lookback: number;
  readonly maxSamples: number;
  readonly noStepSubqueryInterval: number;
  readonly maxSteps: number;
  readonly maxLabelChars: number;
  private readonly deadline: number;
  private readonly signal?: AbortSignal;
  private samples = 0;
  private steps = 0;
  private stepsAtClock = 0;
  private labelChars = 0;
  private ticks = 0;

  constructor(opts: QueryOptions = {}) {
    this.lookback = opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_MS;
    this.maxSamples = opts.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.noStepSubqueryInterval = opts.noStepSubqueryIntervalMs ?? DEFAULT_SUBQUERY_STEP_MS;
    this.maxSteps = opts.maxSteps ?? STEPS_PER_SAMPLE * this.maxSamples;
    this.maxLabelChars = opts.maxLabelChars ?? DEFAULT_MAX_LABEL_CHARS;
    this.deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.signal = opts.signal;
  }

  /** Throws on timeout or cancellation. Cheap enough to call per step: reads the clock every 64 calls (or `now`). */
  check(where = "expression evaluation", now = false): void {
    if (this.signal?.aborted) throw new PromQLError("canceled", `query was canceled in ${where}`);
    if ((++this.ticks & 63) === 0 || now || where !== "expression evaluation") {
      if (Date.now() > this.deadline) throw new PromQLError("timeout", `query timed out in ${where}`);
    }
  }

  /** Counts samples now held by the query; throws past the limit. */
  addSamples(n: number): void {
    this.samples += n;
    if (this.samples > this.maxSamples) throw tooMany();
  }

  /**
   * Counts evaluation work, charged before the loop that does it where the
   * count is known, so a runaway subquery is refused before it starts.
   */
  addSteps(n: number): void {
    this.steps += n;
    if (this.steps > this.maxSteps) {
      throw new PromQLError(
        "execution",
        `query processing would take more than ${this.maxSteps} evaluation steps (series times steps, plus samples in range windows): use a larger subquery step, a shorter range or fewer series`,
      );
    }
    // Look at the clock (and the abort signal) about every 16k steps of work, however they come.
    if (this.steps - this.stepsAtClock >= 16_384) {
      this.stepsAtClock = this.steps;
      this.check("expression evaluation", true);
    }
  }

  /** Counts characters of label values built by label_join / label_replace. */
  addLabelChars(n: number, fn: string): void {
    this.labelChars += n;
    if (this.labelChars > this.maxLabelChars)
      throw new PromQLError("execution", `${fn}() would build more than ${this.maxLabelChars} characters of label values in this query`);
  }

  /** Checks a transient load (a range window) against the limit without keeping it. */
  peekSamples(n: number): void {
    if (this.samples + n > this.maxSamples) throw tooMany();
  }
}

function tooMany(): PromQLError {
  return new PromQLError("execution", "query processing would load too many samples into memory in query execution");
}
