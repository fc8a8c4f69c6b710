// Posts the demo's batches with a few in flight: remote_write bodies (encoded
// by the agent's encoder) to /api/v1/write and gzipped LiteLLM payload arrays
// to /v1/logs/litellm. Like the agent's forwarder: 429 waits for Retry-After,
// 5xx and network errors are retried with backoff under the same
// Idempotency-Key; a 400 (some data refused) is reported and not retried;
// 401/403/404 stop the demo with a message that says what to fix.
import { gzipSync } from "node:zlib";
import type { RwMetadata, RwTimeSeries } from "../../shared/contracts/remote-write";
import { Backoff, parseRetryAfter } from "../agent/delivery/backoff";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../agent/remote-write/encode";
import { CliError } from "../errors";

export interface SenderOptions {
  url: string;
  key: string;
  fetch: typeof fetch;
  concurrency: number;
  log: (line: string) => void;
  maxAttempts?: number;
  backoffMinMs?: number;
}

export interface SendStats {
  metricRequests: number;
  logRequests: number;
  retries: number;
  rejected: number;
}

const TIMEOUT_MS = 60_000;

export class Sender {
  private readonly inFlight = new Set<Promise<void>>();
  private fatal: Error | null = null;
  readonly stats: SendStats = { metricRequests: 0, logRequests: 0, retries: 0, rejected: 0 };

  constructor(private readonly opts: SenderOptions) {}

  /** Queues a remote_write request; resolves once it is in flight (waits for a free slot). */
  metrics(timeseries: RwTimeSeries[], idempotencyKey: string, metadata: RwMetadata[] = []): Promise<void> {
    const body = encodeWriteRequest({ timeseries, metadata }) as Uint8Array<ArrayBuffer>;
    this.stats.metricRequests++;
    return this.submit("/api/v1/write", body, { ...REMOTE_WRITE_HEADERS }, idempotencyKey);
  }

  logs(payloads: Record<string, unknown>[], idempotencyKey: string): Promise<void> {
    const body = new Uint8Array(gzipSync(JSON.stringify(payloads), { level: 3 }));
    this.stats.logRequests++;
    return this.submit("/v1/logs/litellm", body, { "Content-Type": "application/json", "Content-Encoding": "gzip" }, idempotencyKey);
  }

  /** Waits for everything in flight; throws the first fatal error. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.fatal) throw this.fatal;
  }

  private async submit(path: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string>, key: string): Promise<void> {
    while (this.inFlight.size >= this.opts.concurrency) await Promise.race(this.inFlight);
    if (this.fatal) throw this.fatal;
    const p: Promise<void> = this.send(path, body, headers, key)
      .catch((e: Error) => {
        this.fatal ??= e;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async send(path: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string>, key: string): Promise<void> {
    const { opts } = this;
    const backoff = new Backoff(opts.backoffMinMs ?? 250, 10_000);
    const maxAttempts = opts.maxAttempts ?? 10;
    // 429 is the server pacing a tenant (its sample rate), not a failure: it does not use up attempts.
    for (let attempt = 1, tries = 1; ; attempt++) {
      let res: Response | null = null;
      let why = "";
      try {
        res = await opts.fetch(`${opts.url}${path}`, {
          method: "POST",
          headers: { ...headers, Authorization: `Bearer ${opts.key}`, "Idempotency-Key": key, "User-Agent": "inferscope-demo" },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        why = err.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000}s` : (err.cause?.code ?? err.cause?.message ?? err.message);
      }
      if (res) {
        const text = await res.text().catch(() => "");
        if (res.ok) return;
        if (res.status === 401 || res.status === 403)
          throw new CliError(`POST ${path}: HTTP ${res.status}: ${message(text)}; the demo needs an API key with the ingest scope (inferscope keys create --scopes ingest,query)`);
        if (res.status === 404) throw new CliError(`POST ${path}: HTTP 404 from ${opts.url}: is it an Inferscope server (its ingest worker)? ${message(text)}`);
        if (res.status !== 429 && res.status < 500) {
          // Data the server will never take: say so once and go on with the rest.
          this.stats.rejected++;
          opts.log(`warning: POST ${path} refused part of a batch (HTTP ${res.status}): ${message(text).slice(0, 300)}`);
          return;
        }
        why = `HTTP ${res.status}${res.status === 429 ? "" : `: ${message(text).slice(0, 200)}`}`;
        if (res.status === 429) {
          await this.wait(parseRetryAfter(res.headers.get("retry-after")) ?? backoff.next(), path, why, attempt);
          continue;
        }
      }
      if (tries++ < maxAttempts) {
        await this.wait(backoff.next(), path, why, attempt);
        continue;
      }
      throw new CliError(`POST ${opts.url}${path} failed ${tries - 1} times, last: ${why}${res ? "" : " (is the stack running? `npm start`)"}`);
    }
  }

  private async wait(ms: number, path: string, why: string, attempt: number): Promise<void> {
    this.stats.retries++;
    if (attempt === 1 || attempt % 3 === 0) this.opts.log(`POST ${path}: ${why}; retrying in ${(ms / 1000).toFixed(1)}s`);
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** The server's own error text: our ingest answers {error} or {message}; anything else as is. */
function message(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown; rejected?: Array<{ path?: string; reason?: string }> };
    const m = j.error ?? j.message;
    const first = Array.isArray(j.rejected) && j.rejected[0] ? `; first: ${j.rejected[0].path}: ${j.rejected[0].reason}` : "";
    if (typeof m === "string") return m + first;
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
