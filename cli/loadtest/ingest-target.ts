// --target ingest: Inferscope's own ingest path at a target rate. Two
// open-model streams (remote_write samples, request-log records), each with
// its own rate and batch size; a 429's Retry-After is honoured: that stream
// sends nothing until it has passed, and the iterations due meanwhile are
// counted as throttled (offered but not sent), so the summary shows both
// what the server refused and what it paced. Markers measure time until queryable.
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { REMOTE_WRITE_HEADERS } from "../agent/remote-write/encode";
import type { ApiTarget } from "../commands/api-client";
import { IngestPayloads } from "./ingest-payload";
import { postIngest, type PostResult, type PostTarget } from "./ingest-post";
import type { ArrivalStream } from "./open-model";
import { StreamStats } from "./recorder";
import { waitVisible, type Visibility } from "./queryable";

export interface IngestConfig {
  post: PostTarget;
  query: ApiTarget;
  runId: string;
  seed: number;
  samplesPerSecond: number;
  logsPerSecond: number;
  samplesPerRequest: number;
  logsPerRequest: number;
  series: number;
  markerEveryMs: number;
  queryableTimeoutMs: number;
}

const JSON_HEADERS = { "content-type": "application/json" };

export class IngestLoad {
  readonly samples = new StreamStats("remote_write");
  readonly logs = new StreamStats("logs");
  readonly visibility: Visibility[] = [];
  private readonly payloads: IngestPayloads;
  private readonly pending = new Set<Promise<void>>();
  private markerSeq = 0;
  /** Ends every marker's POST and poll: at the second Ctrl-C, or at once after an interrupted run. */
  private readonly markersAbort = new AbortController();

  constructor(private readonly c: IngestConfig) {
    setMaxListeners(0, this.markersAbort.signal);
    this.payloads = new IngestPayloads(c.runId, c.series, c.seed);
  }

  streams(): ArrivalStream[] {
    const out: ArrivalStream[] = [];
    const { c } = this;
    if (c.samplesPerSecond > 0)
      out.push(this.stream(this.samples, c.samplesPerSecond / c.samplesPerRequest, (signal) => {
        const p = this.payloads.samples(c.samplesPerRequest);
        return postIngest(c.post, "/api/v1/write", p.body, REMOTE_WRITE_HEADERS, p.samples, "samples", signal);
      }));
    if (c.logsPerSecond > 0)
      out.push(this.stream(this.logs, c.logsPerSecond / c.logsPerRequest, (signal) =>
        postIngest(c.post, "/v1/logs", JSON.stringify({ logs: this.payloads.logs(c.logsPerRequest) }), JSON_HEADERS, c.logsPerRequest, "records", signal)));
    return out;
  }

  private stream(stats: StreamStats, peakPerSecond: number, send: (signal: AbortSignal) => Promise<PostResult>): ArrivalStream {
    let pausedUntil = 0;
    return {
      stats,
      peakPerSecond,
      pausedUntil: () => pausedUntil,
      iterate: async (signal) => {
        const r = await send(signal);
        if (r.interrupted) {
          stats.interrupted++;
          return;
        }
        stats.record(r);
        if (r.retryAfterMs !== null) pausedUntil = Math.max(pausedUntil, Date.now() + r.retryAfterMs);
      },
    };
  }

  /** Sends a marker pair every --marker-every until `stop`, the first right away. */
  async markersDuring(stop: AbortSignal): Promise<void> {
    if (this.c.markerEveryMs <= 0) return;
    while (!stop.aborted) {
      this.marker(false);
      await sleep(this.c.markerEveryMs, undefined, { signal: stop }).catch(() => {});
    }
  }

  /** The marker after the load, then every poll's end. */
  async finish(signal: AbortSignal): Promise<Visibility[]> {
    if (signal.aborted) this.markersAbort.abort();
    else signal.addEventListener("abort", () => this.markersAbort.abort(), { once: true });
    if (!signal.aborted) this.marker(true);
    while (this.pending.size > 0) await Promise.race(this.pending);
    return this.visibility.sort((a, b) => a.seq - b.seq || a.kind.localeCompare(b.kind));
  }

  private marker(final: boolean): void {
    const signal = this.markersAbort.signal;
    const seq = ++this.markerSeq;
    const track = (p: Promise<void>) => {
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    };
    const { c } = this;
    if (c.samplesPerSecond > 0) {
      const m = this.payloads.marker(seq);
      track(this.follow("samples", seq, final, m.query, () => postIngest(c.post, "/api/v1/write", m.body, REMOTE_WRITE_HEADERS, 1, "samples", signal), signal));
    }
    if (c.logsPerSecond > 0) {
      const rec = this.payloads.markerLog(seq);
      track(this.follow("logs", seq, final, rec.request_id, () => postIngest(c.post, "/v1/logs", JSON.stringify({ logs: [rec] }), JSON_HEADERS, 1, "records", signal), signal));
    }
  }

  /** POSTs the marker (waiting out 429s within the timeout), then polls for it. */
  private async follow(kind: Visibility["kind"], seq: number, final: boolean, what: string, send: () => Promise<PostResult>, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.c.queryableTimeoutMs;
    let r = await send();
    while (!r.ok && r.retryAfterMs !== null && Date.now() + r.retryAfterMs < deadline && !signal.aborted) {
      await sleep(r.retryAfterMs, undefined, { signal }).catch(() => {});
      r = await send();
    }
    if (!r.ok) {
      this.visibility.push({ kind, seq, final, ms: null, error: `marker not accepted: ${r.error}` });
      return;
    }
    const v = await waitVisible(this.c.query, kind, what, Date.now(), this.c.queryableTimeoutMs, signal);
    this.visibility.push({ kind, seq, final, ...v });
  }
}
