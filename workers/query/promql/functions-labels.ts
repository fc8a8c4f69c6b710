// label_replace, label_join and histogram_quantile (classic buckets), as in
// Prometheus promql/functions.go and quantile.go.
import type { Expr } from "./ast";
import { execError } from "./errors";
import type { FnState } from "./functions";
import * as L from "./labels";
import { goParseFloat } from "./literals";
import { compileAnchored, type AnchoredRegex, type Submatches } from "./regex";
import type { Vector } from "./values";
import { LABEL_NAME_RE } from "../../../shared/labels";

function stringArg(e: Expr): string {
  while (e.kind === "ParenExpr" || e.kind === "StepInvariantExpr") e = e.expr;
  if (e.kind !== "StringLiteral") throw execError("expected a string literal argument");
  return e.value;
}

const GROUP_NAME = /[\p{L}\p{Nd}_]*/uy; // Go: unicode.IsLetter, unicode.IsDigit, "_"

/**
 * Go regexp.Expand: $$ is "$"; $name or ${name} is a group, where a name is the
 * longest run of letters, digits and "_" ($1x is group "1x"), a number when all
 * digits without a leading zero; an unknown or unmatched group is empty, a
 * malformed one (a lone "$", "${x") is kept as text.
 */
export function expandTemplate(template: string, m: Submatches): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf("$", i);
    if (d < 0) break;
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    const brace = template[i] === "{";
    GROUP_NAME.lastIndex = brace ? i + 1 : i;
    const name = GROUP_NAME.exec(template)![0];
    const j = GROUP_NAME.lastIndex;
    if (name === "" || (brace && template[j] !== "}")) {
      out += "$";
      continue;
    }
    i = brace ? j + 1 : j;
    // strconv-free digits as Go parses them: at most 9 digits, no leading zero.
    const num = /^(0|[1-9]\d{0,8})$/.test(name) ? Number(name) : -1;
    const text = num >= 0 ? (num < m.length ? m[num] : undefined) : m.groups?.[name];
    if (text !== undefined) out += text;
  }
  return out + template.slice(i);
}

export function funcLabelReplace(vals: Vector[], args: Expr[], _ts: number, state: FnState): Vector {
  const dst = stringArg(args[1]), repl = stringArg(args[2]), src = stringArg(args[3]), regexStr = stringArg(args[4]);
  let re = state.regex as AnchoredRegex | undefined;
  if (!re) {
    try {
      re = compileAnchored(regexStr);
    } catch {
      throw execError(`invalid regular expression in label_replace(): ${regexStr}`);
    }
    if (!LABEL_NAME_RE.test(dst)) throw execError(`invalid destination label name in label_replace(): ${dst}`);
    state.regex = re;
    state.cache = new Map<string, L.Lbls>();
  }
  const cache = state.cache as Map<string, L.Lbls>;
  return vals[0].map((s) => {
    const k = L.key(s.metric);
    let out = cache.get(k);
    if (!out) {
      const m = re.exec(L.get(s.metric, src));
      const value = m ? expandTemplate(repl, m) : "";
      if (m) state.ctx?.addLabelChars(value.length, "label_replace");
      out = m ? L.set(s.metric, dst, value) : s.metric;
      cache.set(k, out);
    }
    return { metric: out, t: s.t, v: s.v };
  });
}

export function funcLabelJoin(vals: Vector[], args: Expr[], _ts: number, state: FnState): Vector {
  const dst = stringArg(args[1]), sep = stringArg(args[2]);
  const srcs = args.slice(3).map(stringArg);
  for (const s of srcs) if (!LABEL_NAME_RE.test(s)) throw execError(`invalid source label name in label_join(): ${s}`);
  if (!LABEL_NAME_RE.test(dst)) throw execError(`invalid destination label name in label_join(): ${dst}`);
  // The same label set flows through every step: join once per input series (Prometheus's Dmn cache).
  const cache = (state.joined ??= new WeakMap<L.Lbls, L.Lbls>()) as WeakMap<L.Lbls, L.Lbls>;
  return vals[0].map((s) => {
    let out = cache.get(s.metric);
    if (!out) {
      const parts = srcs.map((n) => L.get(s.metric, n));
      // Counted before it is built: a huge separator over many series must not fill memory first.
      state.ctx?.addLabelChars(parts.reduce((n, p) => n + p.length, 0) + sep.length * Math.max(0, parts.length - 1), "label_join");
      out = L.set(s.metric, dst, parts.join(sep));
      cache.set(s.metric, out);
    }
    return { metric: out, t: s.t, v: s.v };
  });
}

interface Bucket {
  upper: number;
  count: number;
}

export function bucketQuantile(q: number, buckets: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.upper - b.upper || 0);
  if (buckets[buckets.length - 1].upper !== Infinity) return NaN;
  // Coalesce buckets with the same bound, then force monotonic counts.
  const bs: Bucket[] = [];
  for (const b of buckets) {
    const last = bs[bs.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else bs.push({ upper: b.upper, count: b.count });
  }
  let max = -Infinity;
  for (const b of bs) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (bs.length < 2) return NaN;
  const observations = bs[bs.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // sort.Search over all but the last bucket.
  let b = 0;
  while (b < bs.length - 1 && !(bs[b].count >= rank)) b++;
  if (b === bs.length - 1) return bs[bs.length - 2].upper;
  if (b === 0 && bs[0].upper <= 0) return bs[0].upper;
  let start = 0;
  const end = bs[b].upper;
  let count = bs[b].count;
  if (b > 0) {
    start = bs[b - 1].upper;
    count -= bs[b - 1].count;
    rank -= bs[b - 1].count;
  }
  return start + (end - start) * (rank / count);
}

export function funcHistogramQuantile(vals: Vector[]): Vector {
  const q = vals[0][0].v;
  const groups = new Map<string, { metric: L.Lbls; buckets: Bucket[] }>();
  for (const s of vals[1]) {
    const upper = goParseFloat(L.get(s.metric, "le"));
    if (upper === null) continue;
    const k = L.key(L.del(s.metric, ["le"]));
    let g = groups.get(k);
    if (!g) {
      g = { metric: L.del(s.metric, [L.NAME, "le"]), buckets: [] };
      groups.set(k, g);
    }
    g.buckets.push({ upper, count: s.v });
  }
  const ts = vals[0][0].t;
  const out: Vector = [];
  for (const g of groups.values()) out.push({ metric: g.metric, t: ts, v: bucketQuantile(q, g.buckets) });
  return out;
}
