// Comparison of two Prometheus API answers (the `data` member or the error),
// independent of where the answers come from. Labels must match exactly,
// timestamps exactly, values within 1e-6 relative (NaN equals NaN).

export interface ApiAnswer {
  status: "success" | "error";
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

type Metric = Record<string, string>;
type Pair = [number, string];

export const REL_TOLERANCE = 1e-6;
/** Absolute floor for values that should be 0 but carry float noise (e.g. 1e-17 vs -3e-17). */
export const ABS_TOLERANCE = 1e-12;

export function valuesEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a === "+Inf" ? Infinity : a === "-Inf" ? -Infinity : a);
  const y = Number(b === "+Inf" ? Infinity : b === "-Inf" ? -Infinity : b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) && a === b;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  const diff = Math.abs(x - y);
  return diff <= ABS_TOLERANCE || diff <= REL_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
}

function metricKey(m: Metric): string {
  return JSON.stringify(Object.keys(m).sort().map((k) => [k, m[k]]));
}

function showMetric(m: Metric): string {
  return "{" + Object.keys(m).sort().map((k) => `${k}=${JSON.stringify(m[k])}`).join(", ") + "}";
}

function comparePairs(where: string, exp: Pair[], act: Pair[], out: string[]): void {
  if (exp.length !== act.length) {
    out.push(`${where}: ${exp.length} points expected, got ${act.length} (expected times ${exp.slice(0, 5).map((p) => p[0]).join(",")}..., got ${act.slice(0, 5).map((p) => p[0]).join(",")}...)`);
    return;
  }
  for (let i = 0; i < exp.length; i++) {
    if (exp[i][0] !== act[i][0]) {
      out.push(`${where}: point ${i} at t=${exp[i][0]} expected, got t=${act[i][0]}`);
      return;
    }
    if (!valuesEqual(exp[i][1], act[i][1])) {
      out.push(`${where}: at t=${exp[i][0]} expected ${exp[i][1]}, got ${act[i][1]}`);
      return;
    }
  }
}

/**
 * Returns a list of differences (empty when the answers agree). Errors agree
 * when both are errors of the same errorType. Instant vectors are compared as
 * sets unless `ordered` (sort/sort_desc), where the value order must match too.
 */
export function compareAnswers(expected: ApiAnswer, actual: ApiAnswer, ordered = false): string[] {
  const out: string[] = [];
  if (expected.status !== actual.status) {
    out.push(
      expected.status === "error"
        ? `expected error (${expected.errorType}: ${expected.error}), got success`
        : `expected success, got error (${actual.errorType}: ${actual.error})`,
    );
    return out;
  }
  if (expected.status === "error") {
    if (expected.errorType !== actual.errorType) out.push(`expected errorType ${expected.errorType} (${expected.error}), got ${actual.errorType} (${actual.error})`);
    return out;
  }
  const e = expected.data!, a = actual.data!;
  if (e.resultType !== a.resultType) return [`expected resultType ${e.resultType}, got ${a.resultType}`];
  switch (e.resultType) {
    case "scalar":
    case "string": {
      const ep = e.result as Pair, ap = a.result as Pair;
      if (ep[0] !== ap[0]) out.push(`expected time ${ep[0]}, got ${ap[0]}`);
      else if (e.resultType === "string" ? ep[1] !== ap[1] : !valuesEqual(ep[1], ap[1])) out.push(`expected ${JSON.stringify(ep[1])}, got ${JSON.stringify(ap[1])}`);
      return out;
    }
    case "vector": {
      const ev = e.result as Array<{ metric: Metric; value: Pair }>;
      const av = a.result as Array<{ metric: Metric; value: Pair }>;
      if (ordered) {
        const evs = ev.map((s) => s.value[1]), avs = av.map((s) => s.value[1]);
        if (evs.length === avs.length && evs.some((v, i) => !valuesEqual(v, avs[i]))) out.push(`order differs: expected values ${evs.join(",")}, got ${avs.join(",")}`);
      }
      compareSeries(ev.map((s) => ({ metric: s.metric, values: [s.value] })), av.map((s) => ({ metric: s.metric, values: [s.value] })), out);
      return out;
    }
    case "matrix":
      compareSeries(e.result as Array<{ metric: Metric; values: Pair[] }>, a.result as Array<{ metric: Metric; values: Pair[] }>, out);
      return out;
  }
  return [`unknown resultType ${e.resultType}`];
}

function compareSeries(exp: Array<{ metric: Metric; values: Pair[] }>, act: Array<{ metric: Metric; values: Pair[] }>, out: string[]): void {
  const am = new Map<string, Pair[]>();
  for (const s of act) {
    const k = metricKey(s.metric);
    if (am.has(k)) out.push(`duplicate series in answer: ${showMetric(s.metric)}`);
    am.set(k, s.values);
  }
  const seen = new Set<string>();
  for (const s of exp) {
    const k = metricKey(s.metric);
    seen.add(k);
    const got = am.get(k);
    if (!got) {
      out.push(`missing series ${showMetric(s.metric)}`);
      continue;
    }
    comparePairs(showMetric(s.metric), s.values, got, out);
  }
  for (const s of act) if (!seen.has(metricKey(s.metric))) out.push(`unexpected series ${showMetric(s.metric)}`);
}
