// Sends queued batches, oldest first, one lane per kind so a logs outage does
// not hold metrics back. A batch leaves the disk only on a final answer: 2xx
// (stored) or a 4xx other than 401/403/429 (will never succeed; dropped,
// counted, logged). 5xx, 429 and network errors are retried with backoff,
// honouring Retry-After, with the same Idempotency-Key every time. 401/403 say
// the key is wrong, revoked or lacks a scope, not that the data is bad: the
// batch stays on disk and is retried at the maximum backoff until an operator
// fixes the key, with an error logged on every refusal.
import { exchange, KEEP_ALIVE, type Exchange } from "../http-exchange";
import { log } from "../log";
import type { AgentMetrics } from "../self-metrics";
import { Backoff, parseRetryAfter } from "./backoff";
import type { BatchKind, BatchMeta, DiskQueue } from "./disk-queue";

export interface ForwarderOptions {
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  retryAfterMaxMs: number;
  /** Headers that say how the payload of each kind is encoded. */
  headers: Record<BatchKind, Record<string, string>>;
}

const PATHS: Record<BatchKind, string> = { metrics: "/api/v1/write", logs: "/v1/logs" };

type Outcome =
  | { kind: "done" }
  | { kind: "dropped"; status: number; body: string }
  | { kind: "refused"; status: number; body: string }
  | { kind: "retry"; reason: string; retryAfterMs: number | null };

export class Forwarder {
  private stopped = false;
  /** Woken by an enqueue (idle lanes) and by stop. */
  private readonly wakers = new Set<() => void>();
  /** Woken by stop only: a lane backing off must not retry early just because data arrived. */
  private readonly stopWakers = new Set<() => void>();
  private readonly lanes: Promise<void>[] = [];
  private readonly controller = new AbortController();
  lastSuccessAt = 0;
  lastErrorAt = 0;

  constructor(
    private readonly queue: DiskQueue,
    private readonly opts: ForwarderOptions,
    private readonly metrics: AgentMetrics,
  ) {
    queue.onEnqueue(() => this.wakeAll());
  }

  start(): void {
    for (const kind of ["metrics", "logs"] as const) this.lanes.push(this.lane(kind));
  }

  /** Stops after the in-flight requests finish or `graceMs` passes; unsent batches stay on disk. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.wakeAll();
    for (const w of this.stopWakers) w();
    const timer = setTimeout(() => this.controller.abort(), graceMs);
    await Promise.allSettled(this.lanes);
    clearTimeout(timer);
  }

  private wakeAll(): void {
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** Resolves after ms, or earlier on enqueue/stop when `wakeable`. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        this.stopWakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.stopWakers.add(done);
      if (wakeable) this.wakers.add(done);
    });
  }

  private async lane(kind: BatchKind): Promise<void> {
    const backoff = new Backoff(this.opts.backoffMinMs, this.opts.backoffMaxMs);
    while (!this.stopped) {
      const b = this.queue.oldest(kind);
      if (!b) {
        await this.sleep(60_000, true);
        continue;
      }
      let batch: { meta: BatchMeta; payload: Uint8Array<ArrayBuffer> };
      try {
        batch = this.queue.read(b);
      } catch (e) {
        // Unreadable means never sendable; keeping it would block the lane forever.
        log.error("dropping unreadable queue batch", { file: b.file, error: String(e) });
        this.queue.remove(b);
        this.metrics.batchesDropped.inc({ kind, reason: "corrupt" });
        continue;
      }
      const outcome = await this.send(kind, batch.meta, batch.payload);
      if (outcome.kind === "done") {
        this.queue.remove(b);
        this.metrics.batchesSent.inc({ kind });
        this.lastSuccessAt = Date.now();
        backoff.reset();
        log.debug("batch sent", { kind, key: batch.meta.key, items: batch.meta.items });
      } else if (outcome.kind === "dropped") {
        this.queue.remove(b);
        this.metrics.batchesDropped.inc({ kind, reason: `http_${outcome.status}` });
        log.error("batch rejected, dropped", { kind, key: batch.meta.key, items: batch.meta.items, status: outcome.status, body: outcome.body });
        backoff.reset();
      } else if (outcome.kind === "refused") {
        if (this.stopped) break;
        this.lastErrorAt = Date.now();
        this.metrics.sendErrors.inc({ kind, reason: `http_${outcome.status}` });
        log.error("the endpoint refused the API key; batches stay queued on disk and are retried until the key is fixed", {
          kind, key: batch.meta.key, status: outcome.status, body: outcome.body, retry_in_ms: this.opts.backoffMaxMs, queued: this.queue.list(kind).length,
        });
        await this.sleep(this.opts.backoffMaxMs, false);
      } else {
        if (this.stopped) break;
        this.lastErrorAt = Date.now();
        this.metrics.sendErrors.inc({ kind, reason: outcome.reason });
        const delay = outcome.retryAfterMs !== null ? Math.min(outcome.retryAfterMs, this.opts.retryAfterMaxMs) : backoff.next();
        log.warn("send failed, will retry", { kind, key: batch.meta.key, reason: outcome.reason, retry_in_ms: delay, attempt: backoff.attempts });
        await this.sleep(delay, false);
      }
    }
  }

  private async send(kind: BatchKind, meta: BatchMeta, payload: Uint8Array<ArrayBuffer>): Promise<Outcome> {
    let res: Exchange;
    const url = this.opts.endpoint.replace(/\/+$/, "") + PATHS[kind];
    try {
      res = await exchange(url, {
        method: "POST",
        headers: {
          ...this.opts.headers[kind],
          Authorization: `Bearer ${this.opts.apiKey}`,
          "Idempotency-Key": meta.key,
          "User-Agent": "inferscope-agent",
        },
        body: payload,
        signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.controller.signal]),
        agent: KEEP_ALIVE[url.startsWith("https:") ? "https:" : "http:"],
        maxBodyBytes: 1024 * 1024, // an error page; nothing here reads more than its start
      });
    } catch (e) {
      const err = e as Error & { code?: string };
      return { kind: "retry", reason: err.name === "TimeoutError" ? "timeout" : (err.code ?? "network"), retryAfterMs: null };
    }
    const body = res.body.toString("utf8");
    if (res.status >= 200 && res.status < 300) return { kind: "done" };
    if (res.status === 429 || res.status >= 500)
      return { kind: "retry", reason: `http_${res.status}`, retryAfterMs: parseRetryAfter(res.headers["retry-after"] ?? null) };
    if (res.status === 401 || res.status === 403) return { kind: "refused", status: res.status, body: body.slice(0, 500) };
    if (res.status >= 400) return { kind: "dropped", status: res.status, body: body.slice(0, 500) };
    return { kind: "retry", reason: `http_${res.status}`, retryAfterMs: null }; // 1xx/3xx: not an answer
  }
}
