// The database schema. drizzle-kit generates migrations/ from this file; the
// partitioning of samples and request_logs is added by hand in those migrations
// (drizzle-kit cannot express PARTITION BY) and does not change these columns.
import { sql } from "drizzle-orm";
import {
  bigint, bigserial, doublePrecision, index, integer, jsonb, pgTable, primaryKey, serial, text,
  timestamp, uniqueIndex, uuid,
} from "drizzle-orm/pg-core";

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
 * One row per LLM request. Partitioned by day on time, so the unique key must hold
 * time: a request id is unique per tenant and instant, and a replay of a record
 * (same id, same time) is a no-op.
 */
export const requestLogs = pgTable("request_logs", {
  tenantId: integer("tenant_id").notNull(),
  time: timestamp("time", { withTimezone: true, mode: "date" }).notNull(),
  requestId: text("request_id").notNull(),
  model: text("model").notNull().default(""),
  provider: text("provider").notNull().default(""),
  status: text("status").notNull(),
  httpStatus: integer("http_status"),
  latencyMs: doublePrecision("latency_ms"),
  ttftMs: doublePrecision("ttft_ms"),
  inputTokens: bigint("input_tokens", { mode: "number" }),
  outputTokens: bigint("output_tokens", { mode: "number" }),
  costUsd: doublePrecision("cost_usd"),
  errorType: text("error_type"),
  errorMessage: text("error_message"),
  attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.requestId, t.time] }),
  index("request_logs_tenant_time_idx").on(t.tenantId, t.time),
]);

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
