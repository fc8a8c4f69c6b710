// promtool's unit-test file (cmd/promtool/unittest.go), read as strictly as
// yaml.UnmarshalStrict does: unknown fields are errors, spelled as Go's yaml
// ("yaml: unmarshal errors:\n  line 7: field foo not found in type main.testGroup").
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Labels } from "../../../../shared/labels";
import { ruleDurationMs } from "../rule-file";

export interface InputSeries {
  series: string;
  values: string;
}
export interface AlertTestCase {
  evalTime: number;
  evalTimeText: string;
  alertname: string;
  expAlerts: { expLabels: Labels; expAnnotations: Labels }[];
}
export interface PromqlTestCase {
  expr: string;
  evalTime: number;
  evalTimeText: string;
  expSamples: { labels: string; value: number }[];
}
export interface TestGroup {
  name: string;
  /** ms; 0 when absent, as promtool 2.42 (every input sample then lands at time 0). */
  interval: number;
  inputSeries: InputSeries[];
  alertRuleTests: AlertTestCase[];
  promqlExprTests: PromqlTestCase[];
  externalLabels: Labels;
  externalURL: string;
}
export interface UnitTestFile {
  ruleFiles: string[];
  evaluationInterval: number;
  groupEvalOrder: string[];
  tests: TestGroup[];
}

type Fields = Record<string, (n: Node | null) => unknown>;

class Reader {
  readonly errors: string[] = [];
  constructor(private readonly lc: LineCounter, private readonly doc: Document) {}

  /** Follows YAML aliases (*name) to their anchored node. */
  deref(n: Node | null): Node | null {
    for (let i = 0; i < 100 && n && isAlias(n); i++) n = (n.resolve(this.doc) as Node | undefined) ?? null;
    return n;
  }

  line(n: Node | null | undefined): number {
    const off = n?.range?.[0] ?? 0;
    return this.lc.linePos(off).line;
  }

  /** A map's pairs with YAML 1.1 merge keys (<<: *anchor) expanded, explicit keys first, as yaml.v2 does. */
  pairs(n: Node): { key: unknown; value: unknown }[] {
    if (!isMap(n)) return [];
    const own = n.items.filter((p) => !(isScalar(p.key) && p.key.value === "<<"));
    const seen = new Set(own.map((p) => (isScalar(p.key) ? String(p.key.value) : "")));
    const merged: { key: unknown; value: unknown }[] = [];
    for (const p of n.items) {
      if (!(isScalar(p.key) && p.key.value === "<<")) continue;
      const v = this.deref((p.value as Node | null) ?? null);
      const sources = isSeq(v) ? v.items.map((x) => this.deref(x as Node)) : [v];
      for (const src of sources) {
        if (!src || !isMap(src)) continue;
        for (const q of this.pairs(src)) {
          const k = isScalar(q.key) ? String(q.key.value) : "";
          if (!seen.has(k)) seen.add(k), merged.push(q);
        }
      }
    }
    return [...own, ...merged];
  }

  struct<T>(n: Node | null, type: string, fields: Fields): T {
    n = this.deref(n);
    const out: Record<string, unknown> = {};
    if (n === null || (isScalar(n) && (n.value === null || n.value === ""))) return out as T;
    if (!isMap(n)) {
      this.errors.push(`line ${this.line(n)}: cannot unmarshal ${this.kind(n)} into ${type}`);
      return out as T;
    }
    for (const pair of this.pairs(n)) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const f = fields[key];
      if (!f) {
        this.errors.push(`line ${this.line(pair.key as Node)}: field ${key} not found in type ${type}`);
        continue;
      }
      out[key] = f((pair.value as Node | null) ?? null);
    }
    return out as T;
  }

  kind(n: Node | null): string {
    if (isMap(n)) return "!!map";
    if (isSeq(n)) return "!!seq";
    if (isScalar(n)) return typeof n.value === "string" ? `!!str \`${n.value}\`` : `!!${typeof n.value === "number" ? (Number.isInteger(n.value) ? "int" : "float") : "bool"} \`${String(n.value)}\``;
    return "!!null";
  }

  str = (n: Node | null): string => {
    n = this.deref(n);
    if (n === null) return "";
    if (isScalar(n) && n.value === null) return "";
    if (isScalar(n) && n.value !== undefined && typeof n.value !== "object") return typeof n.value === "string" ? n.value : String(n.source ?? n.value);
    this.errors.push(`line ${this.line(n)}: cannot unmarshal ${this.kind(n)} into string`);
    return "";
  };

  float = (n: Node | null): number => {
    n = this.deref(n);
    if (n === null || (isScalar(n) && n.value === null)) return 0;
    if (isScalar(n) && typeof n.value === "number") return n.value;
    this.errors.push(`line ${this.line(n)}: cannot unmarshal ${this.kind(n)} into float64`);
    return 0;
  };

  duration = (n: Node | null): { ms: number; text: string } => {
    const text = this.str(n);
    if (text === "") return { ms: 0, text: "0s" };
    const ms = ruleDurationMs(text);
    if (ms === null) {
      this.errors.push(`not a valid duration string: ${JSON.stringify(text)}`);
      return { ms: 0, text };
    }
    return { ms, text };
  };

  list<T>(n: Node | null, item: (n: Node | null) => T): T[] {
    n = this.deref(n);
    if (n === null || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) {
      this.errors.push(`line ${this.line(n)}: cannot unmarshal ${this.kind(n)} into []`);
      return [];
    }
    return n.items.map((x) => item((x as Node | null) ?? null));
  }

  map(n: Node | null): Labels {
    n = this.deref(n);
    const out: Labels = {};
    if (n === null || (isScalar(n) && n.value === null)) return out;
    if (!isMap(n)) {
      this.errors.push(`line ${this.line(n)}: cannot unmarshal ${this.kind(n)} into map[string]string`);
      return out;
    }
    for (const p of this.pairs(n)) out[this.str(p.key as Node)] = this.str((p.value as Node | null) ?? null);
    return out;
  }
}

/** Parses the text of a test file; throws an Error with promtool's wording on any problem. */
export function parseUnitTestFile(text: string): UnitTestFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, keepSourceTokens: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new Error(`yaml: line ${e.linePos?.[0].line ?? 0}: ${e.message.split("\n")[0]}`);
  }
  const r = new Reader(lc, doc);
  const dur = (n: Node | null) => r.duration(n);
  const raw = r.struct<Record<string, unknown>>(doc.contents as Node | null, "main.unitTestFile", {
    rule_files: (n) => r.list(n, r.str),
    evaluation_interval: dur,
    group_eval_order: (n) => r.list(n, r.str),
    tests: (n) =>
      r.list(n, (t) =>
        r.struct<Record<string, unknown>>(t, "main.testGroup", {
          interval: dur,
          input_series: (x) => r.list(x, (s) => r.struct<InputSeries>(s, "main.series", { series: r.str, values: r.str })),
          alert_rule_test: (x) =>
            r.list(x, (a) => {
              const c = r.struct<Record<string, unknown>>(a, "main.alertTestCase", {
                eval_time: dur,
                alertname: r.str,
                exp_alerts: (e) => r.list(e, (al) => r.struct<Record<string, Labels>>(al, "main.alert", { exp_labels: (m) => r.map(m), exp_annotations: (m) => r.map(m) })),
              });
              const et = (c.eval_time as { ms: number; text: string } | undefined) ?? { ms: 0, text: "0s" };
              return {
                evalTime: et.ms,
                evalTimeText: et.text,
                alertname: (c.alertname as string | undefined) ?? "",
                expAlerts: ((c.exp_alerts as Record<string, Labels>[] | undefined) ?? []).map((x) => ({ expLabels: x.exp_labels ?? {}, expAnnotations: x.exp_annotations ?? {} })),
              } satisfies AlertTestCase;
            }),
          promql_expr_test: (x) =>
            r.list(x, (p) => {
              const c = r.struct<Record<string, unknown>>(p, "main.promqlTestCase", {
                expr: r.str,
                eval_time: dur,
                exp_samples: (e) => r.list(e, (s) => r.struct<{ labels?: string; value?: number }>(s, "main.sample", { labels: r.str, value: r.float })),
              });
              const et = (c.eval_time as { ms: number; text: string } | undefined) ?? { ms: 0, text: "0s" };
              return {
                expr: (c.expr as string | undefined) ?? "",
                evalTime: et.ms,
                evalTimeText: et.text,
                expSamples: ((c.exp_samples as { labels?: string; value?: number }[] | undefined) ?? []).map((s) => ({ labels: s.labels ?? "", value: s.value ?? 0 })),
              } satisfies PromqlTestCase;
            }),
          external_labels: (m) => r.map(m),
          external_url: r.str,
          name: r.str,
        }),
      ),
  });
  if (r.errors.length) throw new Error(`yaml: unmarshal errors:\n  ${r.errors.join("\n  ")}`);
  const tests = ((raw.tests as Record<string, unknown>[] | undefined) ?? []).map((t): TestGroup => ({
    name: (t.name as string | undefined) ?? "",
    interval: (t.interval as { ms: number } | undefined)?.ms ?? 0,
    inputSeries: ((t.input_series as InputSeries[] | undefined) ?? []).map((s) => ({ series: s.series ?? "", values: s.values ?? "" })),
    alertRuleTests: (t.alert_rule_test as AlertTestCase[] | undefined) ?? [],
    promqlExprTests: (t.promql_expr_test as PromqlTestCase[] | undefined) ?? [],
    externalLabels: (t.external_labels as Labels | undefined) ?? {},
    externalURL: (t.external_url as string | undefined) ?? "",
  }));
  return {
    ruleFiles: (raw.rule_files as string[] | undefined) ?? [],
    evaluationInterval: (raw.evaluation_interval as { ms: number } | undefined)?.ms || 60_000,
    groupEvalOrder: (raw.group_eval_order as string[] | undefined) ?? [],
    tests,
  };
}
