// Default per-tenant limits. One place so ingest protocols and docs agree.
// Values follow Cortex/Mimir defaults where Prometheus itself has none.
export interface TenantLimits {
  maxLabelNamesPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxMetricNameLength: number;
  maxSeriesPerRequest: number;
  maxSamplesPerRequest: number;
  maxLogRecordsPerRequest: number;
  /** Samples further ahead of the receiver's clock than this are rejected. */
  maxFutureMs: number;
  /** Samples older than this are rejected: they would land in dropped partitions. */
  retentionDays: number;
  /** Sustained ingestion rate; above it ingest answers 429 with Retry-After. */
  maxSamplesPerSecond: number;
  /** Samples a tenant may send at once above the sustained rate (token bucket size). */
  burstSamples: number;
  /** Series that received samples in the last ACTIVE_SERIES_WINDOW_MS; new series past it are rejected. */
  maxActiveSeries: number;
}

/** A series stays active this long after its last sample (as Mimir's active series). */
export const ACTIVE_SERIES_WINDOW_MS = 20 * 60 * 1000;

export const DEFAULT_LIMITS: TenantLimits = {
  maxLabelNamesPerSeries: 30,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxMetricNameLength: 1024,
  maxSeriesPerRequest: 50_000,
  maxSamplesPerRequest: 500_000,
  maxLogRecordsPerRequest: 50_000,
  maxFutureMs: 10 * 60 * 1000,
  retentionDays: 30,
  maxSamplesPerSecond: 100_000,
  burstSamples: 1_000_000,
  maxActiveSeries: 500_000,
};

/** Request bodies: compressed size as sent, and size after gunzip. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;
