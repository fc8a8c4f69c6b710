// The tenant's limits at ingest (TenantLimiter): for every metrics protocol the
// sample rate and active series, then the queue and the answer; for request
// logs the record rate.
import type { Context } from "hono";
import type { Rejection } from "../../shared/contracts/ingest-json";
import type { LogRow, QueueMetadata, QueueSeries } from "../../shared/contracts/queue";
import type { IngestEnv } from "../../shared/env";
import { seriesHash32 } from "../../shared/hash";
import type { AppEnv } from "../../shared/http/context";
import { sendAll, splitLogs, splitMetrics } from "./enqueue";
import { batchAnswer, IngestProblem } from "./problem";

/** A protocol's validated batch: series with the request path each came from. */
export interface ValidatedMetrics {
  series: QueueSeries[];
  paths: string[];
  metadata: QueueMetadata[];
  rejected: Rejection[];
  samples: number;
}

function limiterOf(c: Context<AppEnv<IngestEnv>>) {
  return c.env.TENANT_LIMITER.get(c.env.TENANT_LIMITER.idFromName(String(c.get("principal").tenantId)));
}

/** The tenant's log-record rate: 429 with Retry-After past it. */
export async function admitLogs(c: Context<AppEnv<IngestEnv>>, records: number): Promise<void> {
  if (records === 0) return;
  const limits = c.get("principal").limits;
  const verdict = await limiterOf(c).admitLogs({ records, maxLogRecordsPerSecond: limits.maxLogRecordsPerSecond, burstLogRecords: limits.burstLogRecords });
  if (!verdict.ok) throw new IngestProblem(429, verdict.reason, { "Retry-After": String(verdict.retryAfterSeconds) });
}

/** A validated log batch: admitted at the tenant's rate, queued, answered (202, or 400 listing the rejected). */
export async function admitAndEnqueueLogs(c: Context<AppEnv<IngestEnv>>, batchId: string, v: { records: LogRow[]; rejected: Rejection[] }) {
  await admitLogs(c, v.records.length);
  await sendAll(c.env.INGEST_QUEUE, splitLogs(c.get("principal").tenantId!, batchId, v.records));
  return batchAnswer(batchId, { records: v.records.length }, v.rejected);
}

export async function admitAndEnqueue(c: Context<AppEnv<IngestEnv>>, batchId: string, v: ValidatedMetrics) {
  const principal = c.get("principal");
  const limits = principal.limits;
  let { series, samples } = v;
  if (series.length > 0) {
    const limiter = limiterOf(c);
    const hashes = new Uint32Array(series.length);
    const counts = new Uint32Array(series.length);
    series.forEach((s, i) => {
      hashes[i] = seriesHash32(s.name, s.labels);
      counts[i] = s.timestamps.length;
    });
    const verdict = await limiter.admit({
      series: hashes,
      samples: counts,
      maxSamplesPerSecond: limits.maxSamplesPerSecond,
      burstSamples: limits.burstSamples,
      maxActiveSeries: limits.maxActiveSeries,
    });
    if (!verdict.ok) throw new IngestProblem(429, verdict.reason, { "Retry-After": String(verdict.retryAfterSeconds) });
    if (verdict.refused.length > 0) {
      const refused = new Set(verdict.refused);
      for (const i of verdict.refused)
        v.rejected.push({ path: v.paths[i], reason: `new series refused: the tenant has reached its limit of ${limits.maxActiveSeries} active series (series with samples in the last 20 minutes)` });
      series = series.filter((_, i) => !refused.has(i));
      samples = series.reduce((n, s) => n + s.timestamps.length, 0);
    }
  }
  await sendAll(c.env.INGEST_QUEUE, splitMetrics(principal.tenantId!, batchId, series, v.metadata));
  return batchAnswer(batchId, { series: series.length, samples }, v.rejected);
}
