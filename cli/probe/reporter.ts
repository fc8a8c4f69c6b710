// --report-to: each probe request also goes to Inferscope's POST /v1/logs as a
// synthetic request-log record, in batches (every 100 records or second), one
// POST at a time. Reporting never fails the probe: what could not be sent is
// counted and said once at the end, with the server's reason.
import { randomUUID } from "node:crypto";
import type { ApiTarget } from "../commands/api-client";
import { retryAfterMs, type CompletionResult } from "./openai-client";
import { SYNTHETIC_ENVIRONMENT, toLogRecord } from "./to-log-record";
import type { RequestLogInput } from "../../shared/logs/record";

const BATCH = 100;
const FLUSH_MS = 1000;
const TIMEOUT_MS = 15_000;

export interface ReportOutcome {
  url: string;
  sent: number;
  failed: number;
  /** The first reason a batch was refused or not delivered. */
  problem: string | null;
}

export interface RecordContext {
  endpoint: string;
  requestedModel: string;
  /** "probe latency", "probe throughput c=5", ... */
  source: string;
  tags?: string[];
}

/** Who is reporting: the probe by default; loadtest reuses the reporter under its own name. */
export interface ReporterOptions {
  /** The tag after "synthetic" on every record, before the per-record ones; default "probe". */
  baseTag?: string;
  /** Request ids are `<prefix>-<run id>-<n>`, idempotency keys `<prefix>-<run id>-b<n>`; default "probe". */
  requestIdPrefix?: string;
  /** Default: 8 random hex characters. */
  runId?: string;
  /** Set on every record (the measured attributes win a clash); default `{ probe_run: <run id> }`. */
  attributes?: Record<string, unknown>;
  /**
   * The records' environment; default "synthetic". Unlike a tag it is a rollup
   * dimension, so dashboards and alerts can leave probe traffic out with environment!="synthetic".
   */
  environment?: string;
}

export class Reporter {
  readonly runId: string;
  private seq = 0;
  private pending: RequestLogInput[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly outcome: ReportOutcome;
  private readonly baseTag: string;
  private readonly prefix: string;
  private readonly attributes: Record<string, unknown>;
  private readonly environment: string;

  constructor(private readonly to: ApiTarget, private readonly fetchImpl: typeof fetch = fetch, opts: ReporterOptions = {}) {
    this.outcome = { url: to.url, sent: 0, failed: 0, problem: null };
    this.runId = opts.runId ?? randomUUID().slice(0, 8);
    this.baseTag = opts.baseTag ?? "probe";
    this.prefix = opts.requestIdPrefix ?? "probe";
    this.attributes = opts.attributes ?? { probe_run: this.runId };
    this.environment = opts.environment ?? SYNTHETIC_ENVIRONMENT;
  }

  add(r: CompletionResult, ctx: RecordContext): void {
    this.pending.push(toLogRecord(r, {
      requestId: `${this.prefix}-${this.runId}-${this.seq++}`,
      endpoint: ctx.endpoint,
      requestedModel: ctx.requestedModel,
      source: ctx.source,
      attributes: this.attributes,
      tags: [this.baseTag, ...(ctx.tags ?? [])],
      environment: this.environment,
    }));
    if (this.pending.length >= BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Sends what is pending and waits for every batch; never throws. */
  async close(): Promise<ReportOutcome> {
    this.flush();
    await this.chain;
    return { ...this.outcome };
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const key = `${this.prefix}-${this.runId}-b${this.seq}`;
    this.chain = this.chain.then(() => this.post(batch, key));
  }

  private async post(batch: RequestLogInput[], idempotencyKey: string): Promise<void> {
    const body = JSON.stringify({ logs: batch });
    for (let attempt = 0; attempt < 2; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(`${this.to.url}/v1/logs`, {
          method: "POST",
          headers: { authorization: `Bearer ${this.to.key}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (e) {
        const c = (e as { cause?: { message?: string; code?: string } }).cause;
        return this.failed(batch.length, `cannot reach ${this.to.url}: ${c?.message ?? c?.code ?? (e as Error).message}`);
      }
      const text = await res.text().catch(() => "");
      if (res.ok) {
        this.outcome.sent += batch.length;
        return;
      }
      const j = parseJson(text) as { error?: string; rejected?: { reason: string }[]; accepted?: { records?: number } } | undefined;
      // 429: the tenant's log rate; one more try after Retry-After (capped: a probe should not hang on reporting).
      if (res.status === 429 && attempt === 0) {
        await new Promise((r) => setTimeout(r, Math.min(5000, retryAfterMs(res.headers.get("retry-after") ?? undefined) ?? 1000)));
        continue;
      }
      if (res.status === 400 && j?.rejected) {
        const accepted = j.accepted?.records ?? batch.length - j.rejected.length;
        this.outcome.sent += accepted;
        return this.failed(batch.length - accepted, `POST /v1/logs refused ${j.rejected.length} record(s): ${j.rejected[0]?.reason ?? j.error}`);
      }
      const hint = res.status === 401 || res.status === 403 ? " (--key needs the ingest scope)" : "";
      return this.failed(batch.length, `POST /v1/logs: HTTP ${res.status}: ${j?.error ?? text.slice(0, 200)}${hint}`);
    }
  }

  private failed(n: number, why: string): void {
    this.outcome.failed += n;
    this.outcome.problem ??= why;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The line printed after a run (stderr): what went where, or why not. */
export function reportLine(o: ReportOutcome): string {
  if (!o.failed) return `reported ${o.sent} synthetic request log(s) to ${o.url}`;
  return `reporting to ${o.url} failed for ${o.failed} of ${o.sent + o.failed} record(s): ${o.problem} (the probe's own results are unaffected)`;
}
