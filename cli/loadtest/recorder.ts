// What a load test counts, per stream of requests (remote_write, logs, or one
// OpenAI model): requests by outcome and HTTP status, items offered and
// accepted, the open model's dropped / late / throttled iterations, and
// latencies kept in a reservoir so a soak run stays small. Latency and TTFT
// are of successful answers only (as probe, and k6's expected_response:true):
// an instant 503 is not a fast answer, and counting it would let a failing
// endpoint pass --max-p95. Every request's latency is kept apart (latencyAllMs).
import { quantilesOf, Reservoir } from "../commands/stats";
import type { Quantiles } from "../../shared/contracts/log-api";

/** A finished request: status 0 when there was no HTTP answer (refused, timeout). */
export interface Outcome {
  ok: boolean;
  status: number;
  latencyMs: number;
  /** Items the request carried (samples, log records; 1 for a completion) and how many the server accepted. */
  offered: number;
  accepted: number;
  error?: string;
  ttftMs?: number | null;
  tokensPerSecond?: number | null;
  outputTokens?: number;
}

export interface StreamSnapshot {
  name: string;
  requests: number;
  ok: number;
  failed: number;
  errorRate: number | null;
  byStatus: Record<string, number>;
  /** One example message per status, so the summary says why. */
  errorExamples: Record<string, string>;
  offered: number;
  accepted: number;
  dropped: number;
  late: number;
  throttled: number;
  interrupted: number;
  outputTokens: number;
  /** Of successful answers (2xx): what the table, the live line and --max-p95 read. */
  latencyMs: Quantiles;
  /** Of every finished request, failures included (an instant 503 pulls it down). */
  latencyAllMs: Quantiles;
  ttftMs: Quantiles;
  tokensPerSecond: Quantiles;
  /** Past RESERVOIR values of a figure, its quantiles come from a uniform sample of that many: approximate. */
  quantilesApproximate: boolean;
}

/** Latencies kept per stream and figure; beyond this a uniform sample stands for them all. */
export const RESERVOIR = 50_000;

/** "ok", "429", "503", "network": the key of an outcome in byStatus. */
export const statusKey = (o: Pick<Outcome, "ok" | "status">) => (o.status === 0 ? "network" : String(o.status));

export class StreamStats {
  requests = 0;
  ok = 0;
  failed = 0;
  offered = 0;
  accepted = 0;
  dropped = 0;
  late = 0;
  throttled = 0;
  interrupted = 0;
  outputTokens = 0;
  readonly byStatus = new Map<string, number>();
  readonly errorExamples = new Map<string, string>();
  private readonly latency = new Reservoir(RESERVOIR);
  private readonly latencyAll = new Reservoir(RESERVOIR);
  private readonly ttft = new Reservoir(RESERVOIR);
  private readonly tps = new Reservoir(RESERVOIR);

  constructor(readonly name: string) {}

  record(o: Outcome): void {
    this.requests++;
    if (o.ok) this.ok++;
    else this.failed++;
    const k = statusKey(o);
    this.byStatus.set(k, (this.byStatus.get(k) ?? 0) + 1);
    if (!o.ok && o.error && !this.errorExamples.has(k)) this.errorExamples.set(k, o.error.slice(0, 300));
    this.offered += o.offered;
    this.accepted += o.accepted;
    this.outputTokens += o.outputTokens ?? 0;
    this.latencyAll.add(o.latencyMs);
    if (!o.ok) return;
    this.latency.add(o.latencyMs);
    if (o.ttftMs !== undefined && o.ttftMs !== null) this.ttft.add(o.ttftMs);
    if (o.tokensPerSecond !== undefined && o.tokensPerSecond !== null && Number.isFinite(o.tokensPerSecond)) this.tps.add(o.tokensPerSecond);
  }

  latencies(): readonly number[] {
    return this.latency.values;
  }

  allLatencies(): readonly number[] {
    return this.latencyAll.values;
  }

  ttfts(): readonly number[] {
    return this.ttft.values;
  }

  tokenRates(): readonly number[] {
    return this.tps.values;
  }

  /** True once any figure's reservoir has seen more values than it keeps. */
  approximate(): boolean {
    return [this.latency, this.latencyAll, this.ttft, this.tps].some((r) => !r.exact);
  }

  snapshot(): StreamSnapshot {
    return {
      name: this.name,
      requests: this.requests,
      ok: this.ok,
      failed: this.failed,
      errorRate: this.requests ? this.failed / this.requests : null,
      byStatus: Object.fromEntries([...this.byStatus].sort()),
      errorExamples: Object.fromEntries(this.errorExamples),
      offered: this.offered,
      accepted: this.accepted,
      dropped: this.dropped,
      late: this.late,
      throttled: this.throttled,
      interrupted: this.interrupted,
      outputTokens: this.outputTokens,
      latencyMs: quantilesOf(this.latency.values),
      latencyAllMs: quantilesOf(this.latencyAll.values),
      ttftMs: quantilesOf(this.ttft.values),
      tokensPerSecond: quantilesOf(this.tps.values),
      quantilesApproximate: this.approximate(),
    };
  }
}

/** All streams together: the totals the thresholds and the progress line read. */
export function combined(streams: StreamStats[]): StreamSnapshot {
  const all = new StreamStats("total");
  for (const s of streams) {
    for (const k of ["requests", "ok", "failed", "offered", "accepted", "dropped", "late", "throttled", "interrupted", "outputTokens"] as const) all[k] += s[k];
    for (const [k, n] of s.byStatus) all.byStatus.set(k, (all.byStatus.get(k) ?? 0) + n);
    for (const [k, m] of s.errorExamples) if (!all.errorExamples.has(k)) all.errorExamples.set(k, m);
  }
  const snap = all.snapshot();
  snap.latencyMs = quantilesOf(streams.flatMap((s) => [...s.latencies()]));
  snap.latencyAllMs = quantilesOf(streams.flatMap((s) => [...s.allLatencies()]));
  snap.ttftMs = quantilesOf(streams.flatMap((s) => [...s.ttfts()]));
  snap.tokensPerSecond = quantilesOf(streams.flatMap((s) => [...s.tokenRates()]));
  snap.quantilesApproximate = streams.some((s) => s.approximate());
  return snap;
}
