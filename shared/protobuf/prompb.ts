// Field numbers of Prometheus remote_write 1.0 (prompb/remote.proto, prompb/types.proto),
// shared by the ingest decoder and the agent encoder so the two cannot drift apart.
import type { RwMetricType } from "../contracts/remote-write.js";

export const WRITE_REQUEST = { timeseries: 1, metadata: 3 } as const; // 2 is reserved (Cortex source)
export const TIME_SERIES = { labels: 1, samples: 2, exemplars: 3, histograms: 4 } as const;
export const LABEL = { name: 1, value: 2 } as const;
export const SAMPLE = { value: 1, timestamp: 2 } as const;
export const METRIC_METADATA = { type: 1, metricFamilyName: 2, help: 4, unit: 5 } as const;

/** MetricMetadata.MetricType enum values, indexed by their number. */
export const METRIC_TYPES: readonly RwMetricType[] = [
  "unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset",
];

export const METRIC_TYPE_NUMBER: Readonly<Record<RwMetricType, number>> = {
  unknown: 0, counter: 1, gauge: 2, histogram: 3, gaugehistogram: 4, summary: 5, info: 6, stateset: 7,
};
