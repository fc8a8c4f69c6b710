// Per-tenant ingestion limits, enforced by one Durable Object per tenant so all
// isolates and locations see the same budget: token buckets on samples and on
// log records (429 with Retry-After when empty) and the set of active series
// (new series past maxActiveSeries are rejected). State lives in memory: after the object
// restarts, counting starts afresh, which errs on the side of accepting data.
import { DurableObject } from "cloudflare:workers";
import { ACTIVE_SERIES_WINDOW_MS } from "../../shared/limits";

export interface AdmitRequest {
  /** seriesHash32 of each series in the request. */
  series: Uint32Array;
  /** Samples of each series, so refused series cost nothing. */
  samples: Uint32Array;
  maxSamplesPerSecond: number;
  burstSamples: number;
  maxActiveSeries: number;
}

export type AdmitAnswer =
  | { ok: false; retryAfterSeconds: number; reason: string }
  | { ok: true; /** indices into `series` refused by the active-series limit */ refused: number[] };

const SWEEP_EVERY_MS = 60_000;

/** Tokens refill at `rate` a second up to `burst`; a new bucket starts full. */
class TokenBucket {
  private tokens = -1;
  private refilledAt = 0;

  /** Seconds to wait before `cost` fits, or 0 when it was taken. */
  take(cost: number, rate: number, burst: number, now: number): number {
    if (this.tokens < 0) this.tokens = burst;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (cost > this.tokens) return Math.max(1, Math.ceil((cost - this.tokens) / rate));
    this.tokens -= cost;
    return 0;
  }
}

export interface AdmitLogsRequest {
  records: number;
  maxLogRecordsPerSecond: number;
  burstLogRecords: number;
}

export class TenantLimiter extends DurableObject {
  private readonly samples = new TokenBucket();
  private readonly logs = new TokenBucket();
  private readonly lastSeen = new Map<number, number>();
  private sweptAt = 0;

  admitLogs(req: AdmitLogsRequest): { ok: true } | { ok: false; retryAfterSeconds: number; reason: string } {
    const wait = this.logs.take(req.records, req.maxLogRecordsPerSecond, req.burstLogRecords, Date.now());
    if (wait === 0) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: wait,
      reason: `log ingestion rate limit of ${req.maxLogRecordsPerSecond} records/s (burst ${req.burstLogRecords}) exceeded; retry in ${wait}s or ask for a higher limit`,
    };
  }

  admit(req: AdmitRequest): AdmitAnswer {
    const now = Date.now();
    if (now - this.sweptAt > SWEEP_EVERY_MS) this.sweep(now);
    // Which series the active-series limit refuses, and what the rest costs.
    const refused: number[] = [];
    let room = req.maxActiveSeries - this.lastSeen.size;
    let cost = 0;
    const fresh = new Set<number>();
    for (let i = 0; i < req.series.length; i++) {
      const h = req.series[i];
      if (!this.lastSeen.has(h) && !fresh.has(h)) {
        if (room <= 0) {
          refused.push(i);
          continue;
        }
        fresh.add(h);
        room--;
      }
      cost += req.samples[i];
    }
    const wait = this.samples.take(cost, req.maxSamplesPerSecond, req.burstSamples, now);
    if (wait > 0) {
      return {
        ok: false,
        retryAfterSeconds: wait,
        reason: `ingestion rate limit of ${req.maxSamplesPerSecond} samples/s (burst ${req.burstSamples}) exceeded; retry in ${wait}s or ask for a higher limit`,
      };
    }
    const skip = new Set(refused);
    for (let i = 0; i < req.series.length; i++) if (!skip.has(i)) this.lastSeen.set(req.series[i], now);
    return { ok: true, refused };
  }

  private sweep(now: number): void {
    for (const [h, t] of this.lastSeen) if (now - t > ACTIVE_SERIES_WINDOW_MS) this.lastSeen.delete(h);
    this.sweptAt = now;
  }
}
