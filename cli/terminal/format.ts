// Numbers, durations, money and times as people read them in a terminal.
// Every formatter prints "-" for a missing value.

const DASH = "-";
type N = number | null | undefined;
const missing = (v: N): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

/** 4.2ms, 850ms, 3.78s, 12.5s, 2m05s, 1h02m. */
export function formatMs(ms: N): string {
  if (missing(ms)) return DASH;
  if (!Number.isFinite(ms)) return ms > 0 ? "+Inf" : "-Inf";
  const a = Math.abs(ms);
  const sign = ms < 0 ? "-" : "";
  if (a < 10) return `${sign}${trimZeros(a.toFixed(1))}ms`;
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(2)}s`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)}s`;
  const totalS = Math.round(a / 1000);
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)}m${String(totalS % 60).padStart(2, "0")}s`;
  const totalM = Math.round(totalS / 60);
  return `${sign}${Math.floor(totalM / 60)}h${String(totalM % 60).padStart(2, "0")}m`;
}

export const formatSeconds = (s: N) => (missing(s) ? DASH : formatMs(s * 1000));

const trimZeros = (s: string) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);

/** 1,234,567 */
export const formatCount = (n: N) => (missing(n) ? DASH : Math.round(n).toLocaleString("en-US"));

/** 950, 1.2k, 34k, 5.6M, 7.8B: for columns that must stay narrow. */
export function formatCompact(n: N): string {
  if (missing(n)) return DASH;
  const a = Math.abs(n);
  for (const [div, unit] of [[1e9, "B"], [1e6, "M"], [1e3, "k"]] as const) {
    if (a >= div) {
      const v = n / div;
      return `${trimZeros(Math.abs(v) < 10 ? v.toFixed(1) : v.toFixed(0))}${unit}`;
    }
  }
  return Number.isInteger(n) ? String(n) : trimZeros(n.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0));
}

/** $0, $0.000412, $0.0123, $12.34, $1,234.50 */
export function formatUsd(v: N): string {
  if (missing(v)) return DASH;
  if (v === 0) return "$0";
  const a = Math.abs(v);
  if (a < 0.1) return `$${trimZeros(v.toPrecision(3))}`;
  return `$${v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** 0.0321 -> 3.2% (0 and 1 exactly as 0% and 100%). */
export function formatPercent(fraction: N): string {
  if (missing(fraction)) return DASH;
  const p = fraction * 100;
  if (p === 0 || p === 100) return `${p}%`;
  return `${p < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** A rate such as tokens per second: 42.5/s, 1.2k/s. */
export const formatRate = (v: N) => (missing(v) ? DASH : `${formatCompact(v)}/s`);

const two = (n: number) => String(n).padStart(2, "0");

/** Local wall-clock time with milliseconds: 14:03:07.250 */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** Local date and time: 2026-01-01 14:03:07 */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One line, at most `max` characters: whitespace runs collapsed, an ellipsis where cut. */
export function shorten(text: string | null | undefined, max: number): string {
  if (!text) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, Math.max(1, max - 1)).join("")}…`;
}

/** {a="b", c="d"}-style text of a label set, as PromQL prints series. */
export function formatLabels(labels: Record<string, string>): string {
  const name = labels.__name__ ?? "";
  const rest = Object.keys(labels).filter((k) => k !== "__name__").sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return rest.length || !name ? `${name}{${rest.join(", ")}}` : name;
}

/** Any measured value, short: 0, 0.00421, 1.23, 45.6, 123, 1.2k, 5.6M. */
export function formatNumber(v: N): string {
  if (missing(v)) return DASH;
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000) return formatCompact(v);
  return trimZeros(v.toPrecision(3));
}
