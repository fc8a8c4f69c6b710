// The storage interface. The PromQL engine and the HTTP APIs read through
// QueryStorage; the aggregator writes through WriteStorage. Only the Postgres
// implementation beside this file writes SQL, so the move to compressed chunks
// changes one module.
import type { Labels } from "../labels";
import type { LogsMessage, MetricsMessage } from "../contracts/queue";

export type MatchType = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  name: string;
  type: MatchType;
  value: string;
}

/** Builds an exact predicate over full label sets (with __name__) for a matcher list: the engine's, which speaks RE2. */
export type ExactMatcher = (matchers: LabelMatcher[]) => (labels: Labels) => boolean;

/** Unix milliseconds, both ends inclusive. */
export interface TimeRange {
  start: number;
  end: number;
}

export interface SeriesData {
  /** All labels including __name__. */
  labels: Labels;
  /** Unix ms, ascending, no duplicates. */
  timestamps: Float64Array;
  /** Same length as timestamps; STALE_NAN (shared/staleness) marks staleness. */
  values: Float64Array;
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/**
 * Hints let an implementation pick a cheaper source (rollups); never change
 * results. As Prometheus's storage.SelectHints: what the engine will do with
 * the selected samples.
 */
export interface SelectHints {
  /** The query's resolution in ms; 0 for an instant query. */
  step?: number;
  /** The function or aggregation applied nearest the selector (PromQL name, e.g. "rate", "sum"); none across a binary operator. */
  func?: string;
  /** A range vector's range in ms (rate(x[5m]) gives 300000); 0 for an instant vector. */
  range?: number;
  /** The time range selected, as the `range` argument: lookback, range and offset included. */
  start?: number;
  end?: number;
}

/** Scoped to one tenant when constructed: no method can reach another tenant's rows. */
export interface QueryStorage {
  /** Series matching all matchers with their samples in range. */
  select(matchers: LabelMatcher[], range: TimeRange, hints?: SelectHints): Promise<SeriesData[]>;
  /** Label sets of series matching any of the matcher sets (all series when empty) with samples in range. */
  series(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<Labels[]>;
  labelNames(matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]>;
  labelValues(name: string, matcherSets: LabelMatcher[][], range: TimeRange, limit?: number): Promise<string[]>;
  metadata(metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>>;
}

export interface WriteResult {
  /** Rows newly written by the call this part was in (replays write 0). */
  written: number;
  /** True when this message part had been written before and was skipped whole. */
  duplicate: boolean;
}

/** Each call writes its parts all-or-nothing; results come in input order. */
export interface WriteStorage {
  writeMetrics(msgs: MetricsMessage[]): Promise<WriteResult[]>;
  writeLogs(msgs: LogsMessage[]): Promise<WriteResult[]>;
}
