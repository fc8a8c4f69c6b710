// A metrics queue message (the aggregator's input) for storage tests, from
// plain arrays: Float64Arrays made here, part 0, no metadata.
import type { MetricsMessage } from "../../shared/contracts/queue";
import type { Labels } from "../../shared/labels";

export interface PlainSeries {
  name: string;
  labels: Labels;
  times: number[];
  /** A Float64Array to carry staleness markers: a JS array may canonicalise their NaN bits. */
  values: number[] | Float64Array;
}

export function metricsMessage(tenantId: number, batchId: string, series: PlainSeries[]): MetricsMessage {
  return {
    v: 1,
    kind: "metrics",
    tenantId,
    batchId,
    part: 0,
    metadata: [],
    series: series.map((s) => ({ name: s.name, labels: s.labels, timestamps: Float64Array.from(s.times), values: s.values instanceof Float64Array ? s.values : Float64Array.from(s.values) })),
  };
}
