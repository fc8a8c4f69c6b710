// The JSON ingest contract (POST /v1/metrics, POST /v1/logs), validated with zod.
// A log record's own schema is the canonical one, shared/logs/record.ts.
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

export const LogsBodySchema = z.strictObject({ logs: z.array(z.unknown()) });

/** One rejected item of a batch: where it is and what to fix. */
export interface Rejection {
  path: string;
  reason: string;
  /** The request id of a rejected log record, when it has one. */
  id?: string;
}
