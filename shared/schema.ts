// The database schema. drizzle-kit generates migrations/ from this file; the
// partitioning of samples and request_logs is added by hand in those migrations
// (drizzle-kit cannot express PARTITION BY) and does not change these columns.
import { sql } from "drizzle-orm";
import {
  bigint, bigserial, boolean, customType, doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, serial, smallint, text,
  timestamp, uniqueIndex, uuid,
} from "drizzle-orm/pg-core";
import type { GroupState, RuleGroupSpec } from "./rules/types";

export const tenants = pgTable("tenants", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** Overrides of DEFAULT_LIMITS, merged over them. */
  limits: jsonb("limits").$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
});

export const apiKeys = pgTable("api_keys", {
  id: serial("id").primaryKey(),
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  keyHash: text("key_hash").notNull().unique(),
  /** First characters of the key, to recognise it in listings. */
  prefix: text("prefix").notNull(),
  name: text("name").notNull().default(""),
  scopes: text("scopes").array().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

export const series = pgTable("series", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  metricName: text("metric_name").notNull(),
  /** Labels without __name__, sorted, empty values dropped. */
  labels: jsonb("labels").$type<Record<string, string>>().notNull(),
  /** First 16 bytes of SHA-256 over the canonical series key: unique per tenant. */
  labelsHash: uuid("labels_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex("series_tenant_hash_uq").on(t.tenantId, t.labelsHash),
  index("series_tenant_name_idx").on(t.tenantId, t.metricName),
  // Serves label equality matchers (labels @> '{"k":"v"}').
  index("series_labels_gin").using("gin", t.labels.op("jsonb_path_ops")),
]);

/** One row per sample; value NULL is a Prometheus staleness marker. Partitioned by day on ts. */
export const samples = pgTable("samples", {
  seriesId: bigint("series_id", { mode: "number" }).notNull(),
  ts: bigint("ts", { mode: "number" }).notNull(),
  value: doublePrecision("value"),
}, (t) => [primaryKey({ columns: [t.seriesId, t.ts] })]);

/** TYPE/HELP/UNIT per metric name, as the last sender described it. */
export const metricMetadata = pgTable("metric_metadata", {
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  metricName: text("metric_name").notNull(),
  type: text("type").notNull().default("unknown"),
  help: text("help").notNull().default(""),
  unit: text("unit").notNull().default(""),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.metricName] })]);

/**
 * One row per LLM request (the canonical record, shared/logs/record.ts).
 * Partitioned by day on time (the start), so the unique key must hold time: a
 * request id is unique per tenant and instant, and a replay of a record (same
 * id, same time) is a no-op. Text dimensions are '' when unknown.
 */
export const requestLogs = pgTable("request_logs", {
  tenantId: integer("tenant_id").notNull(),
  time: timestamp("time", { withTimezone: true, mode: "date" }).notNull(),
  requestId: text("request_id").notNull(),
  traceId: text("trace_id"),
  endTime: timestamp("end_time", { withTimezone: true, mode: "date" }),
  model: text("model").notNull().default(""),
  requestedModel: text("requested_model").notNull().default(""),
  provider: text("provider").notNull().default(""),
  apiBase: text("api_base").notNull().default(""),
  deploymentId: text("deployment_id").notNull().default(""),
  callType: text("call_type").notNull().default(""),
  stream: boolean("stream"),
  /** success | failure */
  status: text("status").notNull(),
  httpStatus: integer("http_status"),
  latencyMs: doublePrecision("latency_ms"),
  ttftMs: doublePrecision("ttft_ms"),
  inputTokens: bigint("input_tokens", { mode: "number" }),
  outputTokens: bigint("output_tokens", { mode: "number" }),
  totalTokens: bigint("total_tokens", { mode: "number" }),
  cachedTokens: bigint("cached_tokens", { mode: "number" }),
  costUsd: doublePrecision("cost_usd"),
  /** reported | price_table | tenant_price | gpu_time */
  costSource: text("cost_source"),
  cacheHit: boolean("cache_hit"),
  errorType: text("error_type"),
  errorClass: text("error_class"),
  errorMessage: text("error_message"),
  errorFingerprint: text("error_fingerprint"),
  userId: text("user_id").notNull().default(""),
  endUser: text("end_user").notNull().default(""),
  team: text("team").notNull().default(""),
  teamAlias: text("team_alias").notNull().default(""),
  apiKeyAlias: text("api_key_alias").notNull().default(""),
  apiKeyHash: text("api_key_hash").notNull().default(""),
  project: text("project").notNull().default(""),
  environment: text("environment").notNull().default(""),
  tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
  attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  /** When the aggregator stored it: what `tail` follows (late records included). */
  receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.requestId, t.time] }),
  index("request_logs_tenant_time_idx").on(t.tenantId, t.time),
  index("request_logs_trace_idx").on(t.tenantId, t.traceId),
  // Summarised as each block range fills: tail reads the newest ranges, which would otherwise stay unsummarised (read whole) until a vacuum.
  index("request_logs_received_brin").using("brin", t.receivedAt).with({ autosummarize: "on" }),
  // The log API (migration 0007): failures newest first, with what error groups count (an index-only scan);
  // slow requests by latency (only the slow: an index of every latency cost each insert a third more WAL, its
  // entries land at random pages; a lower threshold matches enough rows that the time order finds them soon);
  // text in error messages (trigrams, failures only: only they carry one).
  index("request_logs_failures_idx")
    .on(t.tenantId, t.time, t.requestId, t.errorFingerprint, t.model, t.provider, t.httpStatus)
    .where(sql`status = 'failure'`),
  index("request_logs_slow_idx").on(t.tenantId, t.latencyMs).where(sql`latency_ms >= 5000`),
  index("request_logs_error_trgm_idx").using("gin", t.errorMessage.op("gin_trgm_ops")).where(sql`status = 'failure'`),
]);

/** The distinct dimension sets (shared/logs/rollup-spec.ts DIM_KEYS) of a tenant's logs. */
export const logDims = pgTable("log_dims", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  dims: jsonb("dims").$type<Record<string, string>>().notNull(),
  /** First 16 bytes of SHA-256 over dimsKey(dims). */
  dimsHash: uuid("dims_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex("log_dims_tenant_hash_uq").on(t.tenantId, t.dimsHash)]);

/** The sums of a rollup row; the same columns per minute and per UTC day. */
const rollupSums = {
  requests: bigint("requests", { mode: "number" }).notNull().default(0),
  inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
  outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
  totalTokens: bigint("total_tokens", { mode: "number" }).notNull().default(0),
  cachedTokens: bigint("cached_tokens", { mode: "number" }).notNull().default(0),
  costUsd: doublePrecision("cost_usd").notNull().default(0),
  cacheHits: bigint("cache_hits", { mode: "number" }).notNull().default(0),
  cacheMisses: bigint("cache_misses", { mode: "number" }).notNull().default(0),
  /** Count and sum of each histogram's observations, by HISTOGRAMS index. */
  histCount: bigint("hist_count", { mode: "number" }).array().notNull(),
  histSum: doublePrecision("hist_sum").array().notNull(),
};

/** Per-minute rollups of request logs: minute is the unix ms of its start. */
export const logRollups = pgTable("log_rollups", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  minute: bigint("minute", { mode: "number" }).notNull(),
  ...rollupSums,
}, (t) => [primaryKey({ columns: [t.tenantId, t.dimsId, t.minute] })]);

/** Non-empty histogram buckets of a minute's rollup: bucket is the index in the histogram's bounds (bounds.length = +Inf). */
export const logRollupBuckets = pgTable("log_rollup_buckets", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  minute: bigint("minute", { mode: "number" }).notNull(),
  hist: smallint("hist").notNull(),
  bucket: smallint("bucket").notNull(),
  n: bigint("n", { mode: "number" }).notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.dimsId, t.minute, t.hist, t.bucket] })]);

/** The same per UTC day (day = unix ms of 00:00): what makes a counter's value before a query's range cheap. */
export const logRollupsDay = pgTable("log_rollups_day", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  day: bigint("day", { mode: "number" }).notNull(),
  ...rollupSums,
}, (t) => [primaryKey({ columns: [t.tenantId, t.dimsId, t.day] })]);

export const logRollupBucketsDay = pgTable("log_rollup_buckets_day", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  day: bigint("day", { mode: "number" }).notNull(),
  hist: smallint("hist").notNull(),
  bucket: smallint("bucket").notNull(),
  n: bigint("n", { mode: "number" }).notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.dimsId, t.day, t.hist, t.bucket] })]);

/** A tenant's prices, over the shipped table (shared/pricing/). USD per 1M tokens, or per GPU hour. */
export const modelPrices = pgTable("model_prices", {
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  /** Lower case; may carry a provider prefix (openai/gpt-4o-mini). */
  model: text("model").notNull(),
  inputPerMtok: doublePrecision("input_per_mtok"),
  outputPerMtok: doublePrecision("output_per_mtok"),
  cachedPerMtok: doublePrecision("cached_per_mtok"),
  /** Self-hosted: what the deployment's GPUs cost per hour, all of them together. */
  gpuHourUsd: doublePrecision("gpu_hour_usd"),
  /** Self-hosted: requests the deployment serves at once; a request's share of GPU time is latency / concurrency. */
  concurrency: doublePrecision("concurrency"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.model] })]);

/** Queue message parts already written, so a redelivered part is skipped whole. */
export const ingestedBatches = pgTable("ingested_batches", {
  tenantId: integer("tenant_id").notNull(),
  batchId: text("batch_id").notNull(),
  part: integer("part").notNull(),
  kind: text("kind").notNull(),
  rows: integer("rows").notNull(),
  ingestedAt: timestamp("ingested_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.batchId, t.part] }),
  index("ingested_batches_at_idx").on(t.ingestedAt),
]);

// ---- N: notifications (workers/query/notify) ----

/** A tenant's notifier config (workers/query/notify/config.ts), and the lease a delivering isolate holds on the tenant's notifications. */
export const notifierConfigs = pgTable("notifier_configs", {
  tenantId: integer("tenant_id").primaryKey().references(() => tenants.id, { onDelete: "cascade" }),
  /** The validated config, defaults filled in. */
  config: jsonb("config").$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  /** While set and in the future (database clock), one deliverNotifications call owns the tenant's sends. */
  leaseUntil: timestamp("lease_until", { withTimezone: true }),
  leaseToken: text("lease_token"),
});

/** Alerts for an Alertmanager (POST /api/v2/alerts), one row per enqueued batch and Alertmanager; deleted once sent or dropped. */
export const notifyOutbox = pgTable("notify_outbox", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  /** The Alertmanager's URL as configured. */
  alertmanager: text("alertmanager").notNull(),
  alerts: jsonb("alerts").$type<unknown[]>().notNull(),
  /** Unix ms (the evaluation's now). */
  enqueuedAt: bigint("enqueued_at", { mode: "number" }).notNull(),
  nextAttemptAt: bigint("next_attempt_at", { mode: "number" }).notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
}, (t) => [index("notify_outbox_dest_idx").on(t.tenantId, t.alertmanager, t.id)]);

/** Built-in grouping: one aggregation group per tenant, direct receiver and group key, as Alertmanager's dispatcher keeps. */
export const notifyGroups = pgTable("notify_groups", {
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  receiver: text("receiver").notNull(),
  groupKey: text("group_key").notNull(),
  groupLabels: jsonb("group_labels").$type<Record<string, string>>().notNull(),
  /** Unix ms; the next flush (group_wait after creation, then every group_interval, sooner after a failed send). */
  nextFlushAt: bigint("next_flush_at", { mode: "number" }).notNull(),
  flushed: boolean("flushed").notNull().default(false),
  /** The last notification sent (Alertmanager's notification log): when, and the fingerprints firing and resolved in it. */
  lastNotifyAt: bigint("last_notify_at", { mode: "number" }),
  lastFiring: text("last_firing").array().notNull().default(sql`'{}'::text[]`),
  lastResolved: text("last_resolved").array().notNull().default(sql`'{}'::text[]`),
  failures: integer("failures").notNull().default(0),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.receiver, t.groupKey] }),
  index("notify_groups_due_idx").on(t.tenantId, t.nextFlushAt),
]);

/** The alerts of each group (per receiver: each forgets a resolved alert once it has flushed it). */
export const notifyGroupAlerts = pgTable("notify_group_alerts", {
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  receiver: text("receiver").notNull(),
  /** Alertmanager's fingerprint of the labels (16 hex digits). */
  fingerprint: text("fingerprint").notNull(),
  groupKey: text("group_key").notNull(),
  labels: jsonb("labels").$type<Record<string, string>>().notNull(),
  annotations: jsonb("annotations").$type<Record<string, string>>().notNull(),
  startsAt: bigint("starts_at", { mode: "number" }).notNull(),
  endsAt: bigint("ends_at", { mode: "number" }).notNull(),
  generatorUrl: text("generator_url").notNull().default(""),
  /** Bumped on every update: a flush forgets a resolved alert only if it did not change meanwhile. */
  rev: bigint("rev", { mode: "number" }).notNull().default(1),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.receiver, t.fingerprint] }),
  index("notify_group_alerts_group_idx").on(t.tenantId, t.receiver, t.groupKey),
]);

// ---- S: rule groups (issue 8) ----

/**
 * A tenant's rule group (Prometheus rule-file group; namespace = the rule file,
 * as Mimir's ruler API names it). `state` is what Prometheus keeps in memory
 * between evaluations; `last_eval_ms` is the evaluation slot committed last: a
 * cron run commits a slot only where it is still older, so two isolates never
 * both commit one. `version` bumps when the spec changes; `lease_until_ms` keeps
 * a second cron run from evaluating a group another run is already on.
 */
export const ruleGroups = pgTable("rule_groups", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  namespace: text("namespace").notNull(),
  name: text("name").notNull(),
  spec: jsonb("spec").$type<RuleGroupSpec>().notNull(),
  /** The group's YAML as it was sent. */
  source: text("source").notNull(),
  intervalMs: bigint("interval_ms", { mode: "number" }).notNull(),
  state: jsonb("state").$type<GroupState>().notNull(),
  lastEvalMs: bigint("last_eval_ms", { mode: "number" }).notNull().default(0),
  /** Rule evaluations that failed, ever: inferscope_rule_evaluation_failures_total. */
  failuresTotal: bigint("failures_total", { mode: "number" }).notNull().default(0),
  /** Series keys (RuleState.lastSeries) of rules an edit removed: the next evaluation marks them stale, as Prometheus's CopyState does. */
  staleSeries: jsonb("stale_series").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  version: integer("version").notNull().default(1),
  leaseUntilMs: bigint("lease_until_ms", { mode: "number" }).notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex("rule_groups_tenant_ns_name_uq").on(t.tenantId, t.namespace, t.name),
  index("rule_groups_last_eval_idx").on(t.lastEvalMs),
]);

// ---- H: Inferscope's own ingest health (workers/query/self-metrics.ts, workers/aggregator/dead-letters.ts) ----

/**
 * What the aggregator sent to the dead-letter queue, one row per message part
 * (batch_id as the dead-letter message carries it: "<batchId>#refused" when
 * only the refused items went). A redelivery that dead-letters the same part
 * again adds nothing. No foreign key on tenant_id: a part for an unknown tenant
 * (the integrity error that dead-letters it) is recorded too. Never deleted by
 * Inferscope: inferscope_dead_letter_items_total is the sum of items.
 */
export const deadLetters = pgTable("dead_letters", {
  tenantId: integer("tenant_id").notNull(),
  batchId: text("batch_id").notNull(),
  part: integer("part").notNull(),
  /** metrics | logs | unknown (an unreadable message) */
  kind: text("kind").notNull(),
  /** Items in the dead-letter message: metadata entries + series, or log records. */
  items: integer("items").notNull(),
  reason: text("reason").notNull(),
  at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.batchId, t.part] })]);

/** Cumulative rows per tenant and kind (samples | logs | rules), advanced by the cron from ingested_batches (which forgets after 7 days). */
export const ingestCounters = pgTable("ingest_counters", {
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  kind: text("kind").notNull(),
  rows: bigint("rows", { mode: "number" }).notNull().default(0),
  /** ingested_at of the newest part counted. */
  lastWriteAt: timestamp("last_write_at", { withTimezone: true }),
}, (t) => [primaryKey({ columns: [t.tenantId, t.kind] })]);

/** Per tenant: parts with ingested_at < watermark are in ingest_counters; last_minute is the newest minute whose samples were written. */
export const selfMetricsState = pgTable("self_metrics_state", {
  tenantId: integer("tenant_id").primaryKey().references(() => tenants.id, { onDelete: "cascade" }),
  watermark: timestamp("watermark", { withTimezone: true }).notNull().default(sql`'-infinity'`),
  lastMinute: bigint("last_minute", { mode: "number" }).notNull().default(0),
});

// ---- O: deployment status (workers/query/admin-status.ts, `inferscope doctor`) ----

/** One row per cron job: when its last run finished (written at the end of the query worker's scheduled()). */
export const cronRuns = pgTable("cron_runs", {
  job: text("job").primaryKey(),
  finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
  durationMs: integer("duration_ms").notNull(),
});

// ---- B: series time bounds (issue 9) ----

/**
 * The oldest and newest sample time (unix ms) ever written for a scraped
 * series: the range test of the series, label-name and label-value lookups
 * (postgres/series-bounds.ts), so they need not probe samples per series.
 * Only ever widened, once per series per metrics write (write.ts); retention
 * does not narrow it: readers trust a bound only at or after the oldest day
 * still stored. Its own narrow table, so the write that widens it is cheap
 * and never touches the series row or its GIN index.
 */
export const seriesBounds = pgTable("series_bounds", {
  seriesId: bigint("series_id", { mode: "number" }).primaryKey().references(() => series.id, { onDelete: "cascade" }),
  minT: bigint("min_t", { mode: "number" }).notNull(),
  maxT: bigint("max_t", { mode: "number" }).notNull(),
});

/**
 * Per-tenant label index: every label name and value (metric names under
 * __name__) of the tenant's scraped series, with the oldest and newest sample
 * time of any series holding it. Label names and values without match[] read
 * it instead of every series (postgres/label-index-read.ts). Only widened, by
 * the metrics write when a series is new or its bounds grow past what the
 * index holds (label-index-write.ts); max_t may lag the newest sample by up to
 * LABEL_INDEX_SLACK_MS, which readers allow for. Retention does not narrow it:
 * readers trust a bound only at or after the oldest day still stored.
 */
export const labelValues = pgTable("label_values", {
  tenantId: integer("tenant_id").notNull().references(() => tenants.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  value: text("value").notNull(),
  minT: bigint("min_t", { mode: "number" }).notNull(),
  maxT: bigint("max_t", { mode: "number" }).notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.name, t.value] })]);

// ---- C: compressed sample chunks (issue 9) ----
// Samples older than the head window move from `samples` rows into one
// Prometheus XOR chunk per series and fixed, UTC-aligned window
// (shared/storage/postgres/chunk-format.ts), written by the query cron's
// compaction job (chunk-compact.ts). Chunks never overlap: one per
// (series_id, window_start). Not partitioned: a chunk row holds hundreds of
// samples, so retention deletes them by max_t (workers/query/retention.ts).
const byteaColumn = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

export const sampleChunks = pgTable("sample_chunks", {
  seriesId: bigint("series_id", { mode: "number" }).notNull(),
  /** Start of the window (ms, a multiple of CHUNK_WINDOW_MS); every sample lies in [window_start, window_start + window). */
  windowStart: bigint("window_start", { mode: "number" }).notNull(),
  minT: bigint("min_t", { mode: "number" }).notNull(),
  maxT: bigint("max_t", { mode: "number" }).notNull(),
  /** Samples in the chunk, staleness markers included (the chunk's own header says the same). */
  n: integer("n").notNull(),
  /** A Prometheus XOR chunk (tsdb/chunkenc/xor.go), byte for byte. */
  data: byteaColumn("data").notNull(),
}, (t) => [primaryKey({ columns: [t.seriesId, t.windowStart] })]);

/**
 * Compaction's progress per day of samples: the series it has got to, and the
 * cutoff its last full sweep used. Its row is also the lock that keeps two
 * runners off the same day (SELECT … FOR UPDATE SKIP LOCKED).
 */
export const compactionDays = pgTable("compaction_days", {
  /** Days since 1970-01-01 (UTC), as dayOf(). */
  day: integer("day").primaryKey(),
  /** Series ids up to this one are compacted in the current sweep. */
  nextSeries: bigint("next_series", { mode: "number" }).notNull().default(0),
  /** The time (ms) below which the last completed sweep compacted every row of the day; 0 before the first. */
  sweptTo: bigint("swept_to", { mode: "number" }).notNull().default(0),
  sweptAt: timestamp("swept_at", { withTimezone: true }),
  /** Rows moved into chunks by the current sweep: a sweep that emptied a whole day reclaims its partition's space. */
  moved: bigint("moved", { mode: "number" }).notNull().default(0),
});

// ---- L: request-log rollups per hour (issue 7) ----

/**
 * Per-hour rollups (hour = unix ms of its start): the sums of the hour's
 * minute rows, written in the same transaction as they are. Summaries read
 * whole hours here and only the ragged ends from the minutes. The bucket
 * counts are one dense array in the row (shared/logs/rollup-spec.ts
 * BUCKET_OFFSET), not rows of their own: one upsert per row instead of ~20.
 */
export const logRollupsHour = pgTable("log_rollups_hour", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  hour: bigint("hour", { mode: "number" }).notNull(),
  ...rollupSums,
  buckets: bigint("buckets", { mode: "number" }).array().notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.dimsId, t.hour] })]);

/**
 * The histogram bucket counts of each minute's rollup row (log_rollups): one
 * dense array per row (rollup-spec BUCKET_OFFSET), not a row per bucket as in
 * log_rollup_buckets, which it replaces: writing ~20 bucket rows per rollup
 * row cost more than the logs. Apart from log_rollups so that the counters'
 * reads of those rows stay narrow. No row where the minute had no observation.
 */
export const logRollupHist = pgTable("log_rollup_hist", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  minute: bigint("minute", { mode: "number" }).notNull(),
  buckets: bigint("buckets", { mode: "number" }).array().notNull(),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.dimsId, t.minute] }),
  // Goes with its minute row: retention and rebuilds delete log_rollups rows, and these with them.
  foreignKey({ name: "log_rollup_hist_minute_fk", columns: [t.tenantId, t.dimsId, t.minute], foreignColumns: [logRollups.tenantId, logRollups.dimsId, logRollups.minute] }).onDelete("cascade"),
]);

/** The same per UTC day (replaces log_rollup_buckets_day). */
export const logRollupHistDay = pgTable("log_rollup_hist_day", {
  tenantId: integer("tenant_id").notNull(),
  dimsId: bigint("dims_id", { mode: "number" }).notNull(),
  day: bigint("day", { mode: "number" }).notNull(),
  buckets: bigint("buckets", { mode: "number" }).array().notNull(),
}, (t) => [primaryKey({ columns: [t.tenantId, t.dimsId, t.day] })]);
