// Bindings each worker receives (wrangler.toml in production, scripts/lib/stack.ts locally).
import type { IngestMessage } from "./contracts/queue";
import type { TenantLimiter } from "../workers/ingest/limiter";

export interface DbEnv {
  /** Postgres connection string (Neon's, or a local one). */
  DATABASE_URL: string;
  /** Local only: ws:// address of the WebSocket-to-TCP proxy the Neon driver goes through. */
  DB_WS_PROXY?: string;
}

export interface AuthEnv extends DbEnv {
  /** wrangler secret: a key with admin scope over all tenants, to mint the first keys. */
  ADMIN_BOOTSTRAP_KEY?: string;
  /** Days of samples and request logs kept: ingest refuses older data, the cron drops older partitions. */
  RETENTION_DAYS?: string;
}

export interface IngestEnv extends AuthEnv {
  INGEST_QUEUE: Queue<IngestMessage>;
  /** One Durable Object per tenant: rate and active-series limits. */
  TENANT_LIMITER: DurableObjectNamespace<TenantLimiter>;
}

export interface AggregatorEnv extends DbEnv {
  /** "debug" logs every written message part. */
  LOG_LEVEL?: string;
  /** The dead-letter queue, as a producer: the items Postgres refused go there alone. */
  DEAD_LETTERS?: Queue<IngestMessage>;
  /** The ingest queue consumer's max_retries (wrangler.toml; default 10): on the attempt after the last retry a failing message is recorded as dead-lettered. */
  QUEUE_MAX_RETRIES?: string;
}

export interface QueryEnv extends AuthEnv {
  /** How long a series derived from request logs stays after its last event: a Prometheus duration, default 24h. */
  DERIVED_SERIES_TTL?: string;
  /** Where users reach Inferscope: alerts' generatorURL links to `${EXTERNAL_URL}/graph?...`; default http://localhost:8787. */
  EXTERNAL_URL?: string;
  /** Samples newer than this (a Prometheus duration, default 2h) stay rows; older ones the cron compacts into chunks. */
  COMPACTION_HEAD?: string;
}
