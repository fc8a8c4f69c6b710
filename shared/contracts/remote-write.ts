// Prometheus remote_write 1.0 WriteRequest (prompb), as decoded by the ingest
// worker and encoded by the agent. Field numbers are in the codec beside each side.
export interface RwLabel {
  name: string;
  value: string;
}

export interface RwSample {
  /** float64; staleness markers keep their NaN bits. */
  value: number;
  /** Unix ms. */
  timestamp: number;
}

export interface RwTimeSeries {
  labels: RwLabel[];
  samples: RwSample[];
}

export type RwMetricType =
  | "unknown" | "counter" | "gauge" | "histogram" | "gaugehistogram" | "summary" | "info" | "stateset";

export interface RwMetadata {
  type: RwMetricType;
  metricFamilyName: string;
  help: string;
  unit: string;
}

export interface RwWriteRequest {
  timeseries: RwTimeSeries[];
  metadata: RwMetadata[];
}
