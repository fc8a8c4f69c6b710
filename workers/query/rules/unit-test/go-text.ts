// How promtool prints things in its test report: Go durations, label sets,
// strconv.Quote and FormatFloat 'E'.
import type { Labels } from "../../../../shared/labels";
import { formatE, goQuote } from "../go-format";

export { goQuote, modelDuration } from "../go-format";

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

/** labels.Labels.String(): {a="1", b="2"}, names sorted. */
export function labelsString(l: Labels): string {
  return "{" + Object.keys(l).sort().map((k) => `${k}=${goQuote(l[k])}`).join(", ") + "}";
}

/** strconv.FormatFloat(v, 'E', -1, 64): 3E+00, 1.5E+00. */
export const formatFloatE = (v: number): string => formatE(v, -1, true);

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

