// Messages on the ingest queue. Sent with contentType "v8" (structured clone),
// so Float64Arrays arrive bit-exact, staleness NaN included. Labels appear once
// per series, never per sample. Each message stays under QUEUE_MESSAGE_TARGET_BYTES.
import type { Labels } from "../labels";
import type { MetricMetadata } from "../storage/types";
import type { LogRow } from "../logs/record";

export type { LogRow };

export const QUEUE_MESSAGE_VERSION = 1;
/** Cloudflare Queues caps a message at 128 KB; we aim well below for headroom. */
export const QUEUE_MESSAGE_TARGET_BYTES = 96 * 1024;
/** sendBatch caps a call at 100 messages and 256 KB in total. */
export const QUEUE_BATCH_MAX_MESSAGES = 100;
export const QUEUE_BATCH_MAX_BYTES = 240 * 1024;

export interface QueueSeries {
  name: string;
  /** Normalised: sorted, no empty values, no __name__. */
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface QueueMetadata extends MetricMetadata {
  name: string;
}

interface MessageHead {
  v: typeof QUEUE_MESSAGE_VERSION;
  tenantId: number;
  /** Idempotency key of the request this came from; with part, unique per tenant. */
  batchId: string;
  part: number;
}

export interface MetricsMessage extends MessageHead {
  kind: "metrics";
  series: QueueSeries[];
  metadata: QueueMetadata[];
}

export interface LogsMessage extends MessageHead {
  kind: "logs";
  records: LogRow[];
}

export type IngestMessage = MetricsMessage | LogsMessage;
