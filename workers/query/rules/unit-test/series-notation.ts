// promtool's series notation: a metric in text form (`name{a="b"}`), and the
// expanding value notation of input_series (`1+2x3`, `5-1x2`, `_`, `_x3`,
// `stale`, `Inf`, `1e3`), as promql/parser's series description grammar.
import type { Labels } from "../../../../shared/labels";
import { LABEL_NAME_RE, METRIC_NAME_RE } from "../../../../shared/labels";
import { unquote } from "../../promql/literals";

/**
 * A value of a series, undefined for an omitted one (`_`), or "stale": the
 * marker is written into storage only at the end, as a JS array of doubles
 * may canonicalise the StaleNaN bits.
 */
export type SeriesValue = number | undefined | "stale";

/** parser.ParseMetric: `name`, `name{a="b", c='d'}`, `{__name__="x"}`, `{}`, or "" (no labels). */
export function parseMetric(text: string): Labels {
  const s = text.trim();
  const labels: Labels = {};
  if (s === "") return labels;
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[\s\S]*\})?$/.exec(s);
  if (!m || (!m[1] && !m[2])) throw new Error(`1:1: parse error: unexpected character in series: ${JSON.stringify(s[0])}`);
  if (m[1]) labels.__name__ = m[1];
  if (m[2]) {
    let body = m[2].slice(1, -1).trim();
    const pair = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*(,\s*)?/;
    while (body.length > 0) {
      const p = pair.exec(body);
      if (!p) throw new Error(`parse error: unexpected ${JSON.stringify(body.slice(0, 10))} in label set of ${JSON.stringify(s)}, expected name="value"`);
      if (!LABEL_NAME_RE.test(p[1])) throw new Error(`invalid label name ${p[1]}`);
      if (p[1] in labels) throw new Error(`parse error: duplicate label ${JSON.stringify(p[1])} in ${JSON.stringify(s)}`);
      const v = unquote(p[2]);
      if (v !== "") labels[p[1]] = v;
      body = body.slice(p[0].length);
    }
  }
  if (labels.__name__ !== undefined && !METRIC_NAME_RE.test(labels.__name__)) throw new Error(`invalid metric name ${labels.__name__}`);
  return labels;
}

function number(tok: string, all: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(tok)) return tok.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(tok)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(tok)) throw new Error(`parse error: unexpected ${JSON.stringify(tok)} in series values ${JSON.stringify(all)}: expected number or "stale"`);
  return Number(tok);
}

/** Expands a values string: `a+bxN` and `axN` give N+1 values, `_xN` N omitted ones. */
export function expandValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of text.trim().split(/\s+/).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if (item === "_") out.push(undefined);
    else if ((m = /^_x(\d+)$/.exec(item))) for (let i = 0; i < Number(m[1]); i++) out.push(undefined);
    else if (item === "stale") out.push("stale");
    else if ((m = /^([+-]?(?:[\d.]+(?:[eE][+-]?\d+)?|inf|nan|Inf|NaN))([+-](?:[\d.]+(?:[eE][+-]?\d+)?|Inf|inf))x(\d+)$/.exec(item))) {
      let v = number(m[1], text);
      const step = number(m[2], text);
      for (let i = 0; i <= Number(m[3]); i++) {
        out.push(v);
        v += step;
      }
    } else if ((m = /^(.+?)x(\d+)$/.exec(item))) {
      const v: SeriesValue = m[1] === "stale" ? "stale" : number(m[1], text);
      for (let i = 0; i <= Number(m[2]); i++) out.push(v);
    } else out.push(number(item, text));
  }
  return out;
}
