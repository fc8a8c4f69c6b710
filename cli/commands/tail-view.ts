// What `inferscope tail` prints: one line per request, and the running stats.
import type { RequestLogView } from "../../shared/contracts/log-api";
import type { Palette } from "../terminal/colour";
import { formatClock, formatMs, formatPercent, formatUsd, shorten, formatCompact, formatCount } from "../terminal/format";
import { quantileSorted, Reservoir } from "./stats";

const fit = (s: string, width: number) => {
  const short = shorten(s, width);
  return short + " ".repeat(Math.max(0, width - [...short].length));
};

function tokens(r: RequestLogView): string {
  if (r.input_tokens !== null || r.output_tokens !== null) return `${formatCompact(r.input_tokens ?? 0)}→${formatCompact(r.output_tokens ?? 0)}`;
  return r.total_tokens !== null ? formatCompact(r.total_tokens) : "-";
}

/** One request on one line: time, status, model, provider, latency (highlighted when slow), ttft, tokens in→out, cost, id, error. */
export function tailLine(r: RequestLogView, opts: { slowMs: number; palette: Palette }): string {
  const p = opts.palette;
  const failed = r.status === "failure";
  const status = failed ? p.red("failure") : p.green("success");
  const slow = r.latency_ms !== null && r.latency_ms >= opts.slowMs;
  const latency = formatMs(r.latency_ms).padStart(7);
  const parts = [
    p.dim(formatClock(Date.parse(r.time))),
    status,
    fit(r.model || "-", 24),
    fit(r.provider || "-", 10),
    slow ? p.bold(p.yellow(latency)) : latency,
    `ttft ${formatMs(r.ttft_ms).padStart(6)}`,
    `${tokens(r).padStart(11)} tok`,
    formatUsd(r.cost_usd).padStart(9),
    p.cyan(r.request_id),
  ];
  if (failed) {
    const head = [r.http_status, r.error_type ?? "error"].filter((x) => x !== null).join(" ");
    parts.push(p.red(`${head}: ${shorten(r.error_message ?? r.error_class ?? "", 80) || "(no message)"}`));
  }
  return parts.join("  ");
}

/** Count, error rate, latency p50/p95 and throughput of what tail has shown. */
export class TailStats {
  count = 0;
  failures = 0;
  tokens = 0;
  private readonly latencies = new Reservoir();
  private sorted: number[] | null = null;

  constructor(private readonly startedAt: number) {}

  add(r: RequestLogView) {
    this.count++;
    if (r.status === "failure") this.failures++;
    this.tokens += r.total_tokens ?? (r.input_tokens ?? 0) + (r.output_tokens ?? 0);
    if (r.latency_ms !== null) {
      this.latencies.add(r.latency_ms);
      this.sorted = null;
    }
  }

  snapshot(now: number) {
    this.sorted ??= [...this.latencies.values].sort((a, b) => a - b);
    const elapsedS = Math.max(0.001, (now - this.startedAt) / 1000);
    return {
      requests: this.count,
      failures: this.failures,
      error_rate: this.count ? this.failures / this.count : null,
      latency_p50_ms: quantileSorted(this.sorted, 0.5),
      latency_p95_ms: quantileSorted(this.sorted, 0.95),
      tokens: this.tokens,
      tokens_per_second: this.tokens / elapsedS,
      elapsed_ms: now - this.startedAt,
      exact: this.latencies.exact,
    };
  }

  line(now: number): string {
    const s = this.snapshot(now);
    const approx = s.exact ? "" : " (sampled)";
    return `${formatCount(s.requests)} requests, ${formatCount(s.failures)} failed (${formatPercent(s.error_rate)}), ` +
      `latency p50 ${formatMs(s.latency_p50_ms)} p95 ${formatMs(s.latency_p95_ms)}${approx}, ` +
      `${formatCompact(s.tokens_per_second)} tokens/s over ${formatMs(s.elapsed_ms)}`;
  }
}
