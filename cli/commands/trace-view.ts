// What `inferscope trace` prints: one record's fields in groups, a timeline of
// start / first token / end scaled to its latency, and the records of its trace
// (retries, fallbacks) as a waterfall in time order.
import type { RequestLogView } from "../../shared/contracts/log-api";
import type { Palette } from "../terminal/colour";
import { formatClock, formatCount, formatDateTime, formatMs, formatUsd, shorten } from "../terminal/format";

type Field = [name: keyof RequestLogView | string, value: string | null];

const text = (v: unknown): string | null => {
  if (v === null || v === undefined || v === "") return null;
  if (Array.isArray(v)) return v.length ? v.join(", ") : null;
  return String(v);
};
const iso = (t: string | null) => (t ? `${t}  (${formatDateTime(Date.parse(t))} local)` : null);
const ms = (v: number | null) => (v === null ? null : `${formatMs(v)}  (${formatCount(v)} ms)`);

/** The record's fields in the groups a person looks for them in; every field of RequestLogView appears in one. */
export function sections(r: RequestLogView): Array<[title: string, fields: Field[]]> {
  const attributes: Field[] = Object.keys(r.attributes ?? {}).sort().map((k) => {
    const v = r.attributes[k];
    return [k, typeof v === "string" ? v : JSON.stringify(v)];
  });
  return [
    ["identity", [["request_id", r.request_id], ["trace_id", r.trace_id], ["call_type", text(r.call_type)], ["stream", text(r.stream)]]],
    ["timing", [["time", iso(r.time)], ["end_time", iso(r.end_time)], ["received_at", iso(r.received_at)], ["latency", ms(r.latency_ms)], ["ttft", ms(r.ttft_ms)]]],
    ["model and provider", [["model", text(r.model)], ["requested_model", text(r.requested_model)], ["provider", text(r.provider)], ["api_base", text(r.api_base)], ["deployment_id", text(r.deployment_id)]]],
    ["tokens and cost", [
      ["input_tokens", text(r.input_tokens)], ["output_tokens", text(r.output_tokens)], ["total_tokens", text(r.total_tokens)], ["cached_tokens", text(r.cached_tokens)],
      ["cost_usd", r.cost_usd === null ? null : `${formatUsd(r.cost_usd)}${r.cost_source ? `  (${r.cost_source})` : ""}`], ["cache_hit", text(r.cache_hit)],
    ]],
    ["who", [
      ["user", text(r.user)], ["end_user", text(r.end_user)], ["team", text(r.team)], ["team_alias", text(r.team_alias)], ["api_key_alias", text(r.api_key_alias)],
      ["api_key_hash", text(r.api_key_hash)], ["project", text(r.project)], ["environment", text(r.environment)], ["tags", text(r.tags)],
    ]],
    ["outcome", [
      ["status", r.status], ["http_status", text(r.http_status)], ["error_type", text(r.error_type)], ["error_class", text(r.error_class)],
      ["error_message", text(r.error_message)], ["error_fingerprint", text(r.error_fingerprint)],
    ]],
    ["attributes", attributes],
  ];
}

export function renderRecord(r: RequestLogView, p: Palette): string {
  const out: string[] = [];
  const unset: string[] = [];
  for (const [title, fields] of sections(r)) {
    const set = fields.filter(([, v]) => v !== null) as Array<[string, string]>;
    for (const [name, v] of fields) if (v === null) unset.push(String(name));
    if (!set.length) continue;
    out.push(p.bold(title));
    const width = Math.max(...set.map(([n]) => n.length));
    for (const [name, v] of set) {
      const value = name === "status" ? (v === "failure" ? p.red(v) : p.green(v)) : name === "error_message" ? p.red(v) : v;
      // Multi-line values (a stack in a message) stay readable: continuation lines indented under the value.
      out.push(`  ${name.padEnd(width)}  ${value.split("\n").join(`\n  ${" ".repeat(width)}  `)}`);
    }
  }
  if (unset.length) out.push(p.dim(`not set: ${unset.join(", ")}`));
  return `${out.join("\n")}\n`;
}

/** Start, first token and end as offsets, each with a bar as long as its offset: ▒ waiting for the first token, █ generating. */
export function renderTimeline(r: RequestLogView, width: number, p: Palette): string {
  const start = Date.parse(r.time);
  const latency = r.latency_ms ?? (r.end_time ? Date.parse(r.end_time) - start : null);
  const ttft = r.ttft_ms !== null && (latency === null || r.ttft_ms <= latency) ? r.ttft_ms : null;
  const events: Array<[string, number]> = [["start", 0]];
  if (ttft !== null) events.push(["first token", ttft]);
  if (latency !== null) events.push(["end", latency]);
  const scale = latency && latency > 0 ? width / latency : 0;
  const cols = (offset: number) => Math.round(offset * scale);
  const bar = (offset: number) => {
    if (!scale) return "";
    const waiting = ttft === null ? 0 : Math.min(cols(ttft), cols(offset));
    return p.dim("▒".repeat(waiting)) + "█".repeat(Math.max(0, cols(offset) - waiting));
  };
  const nameWidth = Math.max(...events.map(([n]) => n.length));
  const offsets = events.map(([, o]) => `+${formatMs(o)}`);
  const offWidth = Math.max(...offsets.map((o) => o.length));
  const lines = events.map(([name, offset], i) => `  ${name.padEnd(nameWidth)}  ${offsets[i].padStart(offWidth)}  ${formatClock(start + offset)}  │${bar(offset)}`);
  const head = latency === null ? "timeline (no end time or latency recorded)" : `timeline (${formatMs(latency)}${ttft === null ? ", no first-token time" : ""})`;
  const legend = scale && ttft !== null ? `\n  ${p.dim("▒ waiting for the first token  █ generating")}` : "";
  return `${p.bold(head)}\n${lines.join("\n")}${legend}\n`;
}

/** The trace's records in time order, each as a bar placed on the trace's own time span; `self` marks the request asked for. */
export function renderTrace(trace: RequestLogView[], self: string, width: number, p: Palette): string {
  const sorted = [...trace].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.request_id.localeCompare(b.request_id));
  const t0 = Date.parse(sorted[0].time);
  const endOf = (r: RequestLogView) => Date.parse(r.time) + (r.latency_ms ?? 0);
  const span = Math.max(1, ...sorted.map(endOf)) - t0;
  const rows = sorted.map((r) => {
    const from = Math.round(((Date.parse(r.time) - t0) / span) * width);
    const len = Math.max(1, Math.round(((r.latency_ms ?? 0) / span) * width));
    const bar = " ".repeat(from) + (r.status === "failure" ? p.red("█".repeat(len)) : p.green("█".repeat(len)));
    const mark = r.request_id === self ? "▶" : " ";
    const error = r.status === "failure" ? [r.http_status, r.error_type].filter((x) => x !== null).join(" ") : "";
    return { mark, off: `+${formatMs(Date.parse(r.time) - t0)}`, status: r.status, model: shorten(r.model || "-", 28), provider: shorten(r.provider || "-", 12), latency: formatMs(r.latency_ms), id: r.request_id, error, bar };
  });
  const w = (k: keyof (typeof rows)[number]) => Math.max(...rows.map((r) => [...r[k]].length));
  const lines = rows.map((r) =>
    `${r.mark} ${r.off.padStart(w("off"))}  ${(r.status === "failure" ? p.red : p.green)(r.status.padEnd(7))}  ${r.model.padEnd(w("model"))}  ${r.provider.padEnd(w("provider"))}  ${r.latency.padStart(w("latency"))}  ${r.id.padEnd(w("id"))}  ${r.error.padEnd(w("error"))}  │${r.bar}`);
  return `${p.bold(`trace ${sorted[0].trace_id ?? ""} (${sorted.length} records over ${formatMs(span)})`)}\n${lines.join("\n")}\n`;
}
