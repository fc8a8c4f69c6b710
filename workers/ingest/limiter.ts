// Per-tenant ingestion limits, enforced by one Durable Object per tenant so all
// isolates and locations see the same budget: a token bucket on samples (429
// with Retry-After when empty) and the set of active series (new series past
// maxActiveSeries are rejected). State lives in memory: after the object
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

export class TenantLimiter extends DurableObject {
  private tokens = -1;
  private refilledAt = 0;
  private readonly lastSeen = new Map<number, number>();
  private sweptAt = 0;

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
    if (this.tokens < 0) this.tokens = req.burstSamples;
    this.tokens = Math.min(req.burstSamples, this.tokens + ((now - this.refilledAt) / 1000) * req.maxSamplesPerSecond);
    this.refilledAt = now;
    if (cost > this.tokens) {
      const wait = Math.ceil((cost - this.tokens) / req.maxSamplesPerSecond);
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, wait),
        reason: `ingestion rate limit of ${req.maxSamplesPerSecond} samples/s (burst ${req.burstSamples}) exceeded; retry in ${Math.max(1, wait)}s or ask for a higher limit`,
      };
    }
    const skip = new Set(refused);
    for (let i = 0; i < req.series.length; i++) if (!skip.has(i)) this.lastSeen.set(req.series[i], now);
    this.tokens -= cost;
    return { ok: true, refused };
  }

  private sweep(now: number): void {
    for (const [h, t] of this.lastSeen) if (now - t > ACTIVE_SERIES_WINDOW_MS) this.lastSeen.delete(h);
    this.sweptAt = now;
  }
}
