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
}

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
};

/** Request bodies: compressed size as sent, and size after gunzip. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;
