// How promtool prints things in its test report: Go durations, label sets,
// strconv.Quote and FormatFloat 'E'.
import type { Labels } from "../../../../shared/labels";

/** model.Duration.String(): 90s is "1m30s", 0 is "0s"; years and weeks only when exact. */
export function modelDuration(ms: number): string {
  if (ms === 0) return "0s";
  let r = "";
  const f = (unit: string, mult: number, exact: boolean) => {
    if (exact && ms % mult !== 0) return;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      r += `${v}${unit}`;
      ms -= v * mult;
    }
  };
  f("y", 365 * 86400e3, true);
  f("w", 7 * 86400e3, true);
  f("d", 86400e3, false);
  f("h", 3600e3, false);
  f("m", 60e3, false);
  f("s", 1e3, false);
  f("ms", 1, false);
  return r;
}

/** time.Duration.String() for non-negative milliseconds: "1m0s", "1h0m0s", "1.5s", "500ms". */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3600e3);
  const m = Math.floor((ms % 3600e3) / 60e3);
  const s = ((ms % 60e3) / 1000).toFixed(3).replace(/\.?0+$/, "");
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** strconv.Quote for the strings promtool quotes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

/** labels.Labels.String(): {a="1", b="2"}, names sorted. */
export function labelsString(l: Labels): string {
  return "{" + Object.keys(l).sort().map((k) => `${k}=${goQuote(l[k])}`).join(", ") + "}";
}

/** strconv.FormatFloat(v, 'E', -1, 64): 3E+00, 1.5E+00. */
export function formatFloatE(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const [mant, ex] = v.toExponential().split("e");
  const e = Number(ex);
  return `${mant}E${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** Compares label sets as labels.Compare (by sorted names, then values, then length). */
export function compareLabels(a: Labels, b: Labels): number {
  const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    if (a[ka[i]] !== b[kb[i]]) return a[ka[i]] < b[kb[i]] ? -1 : 1;
  }
  return ka.length - kb.length;
}

export function indentLines(lines: string, indent: string): string {
  return lines.split("\n").join("\n" + indent);
}

