// The JSON ingest contract (POST /v1/metrics, POST /v1/logs), validated with zod.
// Each series / record is validated on its own so the valid rest of a batch is kept.
import { z } from "zod";
import { METRIC_TYPES } from "../labels";
import { MAX_HELP_LENGTH, MAX_UNIT_LENGTH } from "../limits";

/** Prometheus's JSON spells non-finite values as strings; so do we. */
export const SampleValueSchema = z.union([
  z.number(),
  z.enum(["NaN", "+Inf", "-Inf", "Inf"]),
]);

export const SampleSchema = z.tuple([z.number().int("timestamp must be an integer (unix milliseconds)"), SampleValueSchema]);

export const SeriesSchema = z.strictObject({
  name: z.string(),
  labels: z.record(z.string(), z.string()).default({}),
  samples: z.array(z.unknown()).min(1, "a series needs at least one sample"),
  type: z.enum(METRIC_TYPES).optional(),
  help: z.string().max(MAX_HELP_LENGTH).optional(),
  unit: z.string().max(MAX_UNIT_LENGTH).optional(),
});
export type SeriesInput = z.infer<typeof SeriesSchema>;

export const MetricsBodySchema = z.strictObject({ series: z.array(z.unknown()) });

const timeSchema = z.union([
  z.number().int("time must be unix milliseconds (an integer) or an RFC 3339 string"),
  z.iso.datetime({ offset: true, message: "time must be unix milliseconds or an RFC 3339 string such as 2026-01-01T00:00:00Z" }),
]);

const count = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative().finite();

export const LogRecordSchema = z.strictObject({
  request_id: z.string().min(1, "request_id is required").max(256),
  time: timeSchema,
  model: z.string().max(256).default(""),
  provider: z.string().max(256).default(""),
  status: z.enum(["success", "error"]).optional(),
  http_status: z.number().int().min(100).max(599).optional(),
  latency_ms: nonNegative.optional(),
  ttft_ms: nonNegative.optional(),
  input_tokens: count.optional(),
  output_tokens: count.optional(),
  cost_usd: nonNegative.optional(),
  error_type: z.string().max(256).optional(),
  error_message: z.string().max(8192).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type LogRecordInput = z.infer<typeof LogRecordSchema>;

export const LogsBodySchema = z.strictObject({ logs: z.array(z.unknown()) });

/** One rejected item of a batch: where it is and what to fix. */
export interface Rejection {
  path: string;
  reason: string;
}
