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
  /**
   * Samples older than this are rejected: they would land in dropped partitions.
   * Partitions are shared by all tenants, so this is the deployment's
   * RETENTION_DAYS (retentionDaysOf), never a tenant override.
   */
  retentionDays: number;
  /** Sustained ingestion rate; above it ingest answers 429 with Retry-After. */
  maxSamplesPerSecond: number;
  /** Samples a tenant may send at once above the sustained rate (token bucket size). */
  burstSamples: number;
  /** Series that received samples in the last ACTIVE_SERIES_WINDOW_MS; new series past it are rejected. */
  maxActiveSeries: number;
  /** Sustained request-log rate; above it /v1/logs answers 429 with Retry-After. */
  maxLogRecordsPerSecond: number;
  /** Log records a tenant may send at once above the sustained rate. */
  burstLogRecords: number;
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
  maxLogRecordsPerSecond: 10_000,
  burstLogRecords: 100_000,
};

/**
 * Characters of all label names and values of one series together. Fixed, not
 * a tenant limit: a series must fit in one queue message (QUEUE_MESSAGE_TARGET_BYTES).
 */
export const MAX_SERIES_LABEL_CHARS = 32 * 1024;
/** Metric metadata, as Prometheus exporters write it. */
export const MAX_HELP_LENGTH = 4096;
export const MAX_UNIT_LENGTH = 256;

/** A request log's `attributes`: size as JSON text, and nesting (the object itself is level 1). */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;
export const MAX_ATTRIBUTES_DEPTH = 32;

/** Request bodies: compressed size as sent, and size after gunzip. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
export const MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

export const DEFAULT_RETENTION_DAYS = DEFAULT_LIMITS.retentionDays;

/** The deployment's retention (RETENTION_DAYS), one value for ingest bounds and the cron's drops. */
export function retentionDaysOf(env: { RETENTION_DAYS?: string }): number {
  const n = Number(env.RETENTION_DAYS);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : DEFAULT_RETENTION_DAYS;
}

/**
 * A tenant's limits: defaults, then its overrides where they are positive
 * numbers. retentionDays is not the tenant's to set, and the burst is kept at
 * least one full request, else a request could never be admitted (429 for ever).
 */
export function tenantLimits(overrides: Record<string, unknown>, retentionDays: number): TenantLimits {
  const out: TenantLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof TenantLimits)[]) {
    const v = overrides[key];
    if (key !== "retentionDays" && typeof v === "number" && Number.isFinite(v) && v > 0) out[key] = v;
  }
  out.retentionDays = retentionDays;
  out.burstSamples = Math.max(out.burstSamples, out.maxSamplesPerRequest);
  out.burstLogRecords = Math.max(out.burstLogRecords, out.maxLogRecordsPerRequest);
  return out;
}
