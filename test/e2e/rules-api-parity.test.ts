// /api/v1/rules (also ?type=alert|record) and /api/v1/alerts against a real
// Prometheus 2.42: the same rule groups and the same samples (remote_write to
// both) go to Prometheus (rule_files, every 10 s) and to the local
// stack (admin API, then the cron as scheduled() runs it). The answers must be
// the same JSON: keys, value types and every deterministic value (names, query
// text as Prometheus prints it, durations, labels and annotations after
// templating, health, states, alert values as Go's 'e' format, interval,
// limit, type). Only what cannot be equal is normalised: times (checked to be
// RFC 3339 and recent first), evaluationTime (a number), the file (a path
// there, the namespace here) and the detail of a query's error message. The
// ALERTS, ALERTS_FOR_STATE and recording outputs written back are compared
// too. The "values" group (NaN, ±Inf, Go's spellings in templates) is another
// tenant's here, so that what it breaks does not hide the rest. About 35 s:
// 10 s is the shortest interval the cron takes, and Prometheus writes ALERTS
// from its third evaluation on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushInTimeOrder, startPrometheus, type PrometheusInstance, type PushSeries } from "../../scripts/lib/prometheus";
import { jsonDiff } from "../helpers/json-diff";
import { byLabels, normaliseRulesApi, ZERO_TIME } from "../helpers/rules-api-normalise";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { STALE_NAN } from "../../shared/staleness";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

const NAMESPACE = "parity";
const VALUES_GROUP = "values";
const VALUES_ALERTS = ["SpecialValues", "Timestamps", "TemplateFunctions"];

// In the file in this order; both must list them by name (groups sorted by file, then name).
const GROUPS = [
  {
    name: "parity",
    interval: "10s",
    rules: [
      { record: "parity:gauge:sum", expr: "sum(parity_gauge) by (kind)" },
      { record: "parity:gauge:doubled", expr: 'parity_gauge{kind="a"} * 2', labels: { source: "parity" } },
      {
        alert: "ParityFiring",
        expr: "parity_gauge > 1",
        labels: { severity: "page", team: "{{ $labels.kind }}-team" },
        annotations: { summary: "{{ $labels.kind }} is at {{ $value }}", description: '{{ $value | humanize }} ({{ printf "%.2f" $value }})' },
      },
      { alert: "ParityFiringAfterFor", expr: 'parity_gauge{kind="a"} > 0', for: "10s" },
      { alert: "ParityPending", expr: 'parity_gauge{kind="b"}', for: "1h", labels: { severity: "ticket" }, annotations: { summary: "pending for an hour" } },
      { alert: "ParityInactive", expr: "rate(parity_missing_total[300s]) > 1e9", for: "5m", annotations: { summary: "never" } },
      { alert: "ParityKeepFiring", expr: 'parity_gauge{kind="a"} > 0', keep_firing_for: "10m" },
      // Fails in the engine: two series on each side, one match group.
      { alert: "ParityBadQuery", expr: "parity_dup + on() parity_dup" },
      // Fails in the rule: the rule's labels make the two outputs one series.
      { record: "parity:bad", expr: "parity_dup", labels: { i: "same" } },
      // parity_gone goes stale between the two evaluations.
      { alert: "ParityResolved", expr: "parity_gone > 0", annotations: { summary: "gone" } },
      { alert: "ParityKeptFiring", expr: "parity_gone > 0", keep_firing_for: "10m" },
      // Pending when it goes: forgotten, not resolved.
      { alert: "ParityPendingGone", expr: "parity_gone > 0", for: "1h" },
    ],
  },
  { name: "aaa", interval: "10s", limit: 10, rules: [{ alert: "AaaFiring", expr: "vector(1)" }] },
  // No rules at all; and Go orders names by bytes: "Zeta" before "aaa".
  { name: "Zeta", interval: "10s", rules: [] },
  {
    name: "limited",
    interval: "20s",
    limit: 1,
    rules: [
      { alert: "LimitedAlerts", expr: "parity_gauge > 0" },
      { record: "limited:series", expr: "parity_gauge * 1" },
    ],
  },
  {
    // Values Go spells its own way (NaN, ±Inf, exponents), through the value field and the template functions.
    // Another tenant's: whatever this group breaks must not hide the rest.
    name: VALUES_GROUP,
    interval: "10s",
    rules: [
      {
        alert: "SpecialValues",
        expr: "parity_special",
        labels: { severity: "rule", drop: "" },
        annotations: {
          value: "{{ $value }} {{ .Value }}",
          humanize: "{{ humanize $value }} {{ humanize1024 $value }}",
          percentage: "{{ humanizePercentage $value }}",
          duration: "{{ humanizeDuration $value }}",
          printf: '{{ printf "%.3f" $value }}',
          labels: "[{{ $labels.nothere }}] {{ .Labels.v }} [{{ $externalLabels.cluster }}]",
          // Go's le is lt or eq, gt is not le, ge is not lt: with NaN, ne, gt and ge hold.
          map: "{{ $labels }}",
          // An int against a float: Go fails at execution, and Prometheus puts the error in the annotation.
          typeError: "{{ if gt $value 1 }}x{{ end }}",
          cond: ["eq", "ne", "lt", "le", "gt", "ge"].map((op) => `{{ if ${op} $value 1.0 }}${op} {{ end }}`).join(""),
        },
      },
      // humanizeTimestamp apart: Go's int64 nanoseconds overflow past 2262 (platform-defined), so sane times only.
      { alert: "Timestamps", expr: "parity_ts", annotations: { at: "{{ humanizeTimestamp $value }}", piped: "{{ $value | humanizeTimestamp }}" } },
      // The rest of Prometheus 2.42's template functions and Go's builtins, as rules use them (no externalURL: a host name there).
      {
        alert: "TemplateFunctions",
        expr: 'parity_gauge{kind="a"}',
        annotations: {
          first: '{{ with query "sum(parity_gauge)" }}{{ . | first | value | humanize }}{{ end }}',
          range: '{{ range query "parity_gauge" }}{{ .Labels.kind }}={{ .Value }};{{ end }}',
          sorted: '{{ range query "parity_gauge" | sortByLabel "kind" }}{{ label "kind" . }} {{ end }}',
          none: '{{ with query "parity_nothing" }}{{ . | first | value }}{{ else }}none{{ end }}',
          strings: '{{ reReplaceAll "(a+)" "<$1>" "baaab" }} {{ match "^a" "abc" }} {{ title "hello world" }} {{ toUpper "x" }}{{ toLower "Y" }} {{ stripPort "host:9090" }} {{ stripPort "[::1]:80" }}',
          links: '{{ graphLink "sum(up) by (job)" }} {{ tableLink "up{a=\\"b\\"}" }}',
          printf: '{{ printf "%d %s %v %q %5.1f|%-4s|%x" 42 "s" 1.5 "q" 3.14159 "ab" 255 }}',
          print: '{{ print 1 2 "a" "b" 3.5 }}|{{ println "x" 1 }}|',
          maps: '{{ len $labels }} {{ index $labels "kind" }} {{ $labels }}',
          escapes: '{{ html "<a&b>" }} {{ js "it\'s \\"q\\" \\\\ <x>\\t" }} {{ urlquery "a b&c" }} {{ safeHtml "<b>" }}',
          times: '{{ parseDuration "1h30m" }} {{ parseDuration "0" }} {{ toTime 1700000000.5 }} {{ humanize 1234567 }} {{ humanizeDuration 0.0015 }}',
          args: '{{ with args 1 "x" }}{{ .arg0 }} {{ .arg1 }}{{ end }}',
          vars: '{{ $x := 1 }}{{ $x = 2 }}{{ $x }} {{- " trimmed " -}} {{ $value | printf "%.1f" }} {{ not true }} {{ and 1 0 }} {{ or 0 "" "z" }}',
        },
      },
    ],
  },
  {
    // Queries that select nothing, for the printing of the parsed expression (rule.Query().String()).
    name: "printing",
    interval: "10s",
    rules: [
      "histogram_quantile(0.95, sum(rate(parity_missing_bucket[5m])) by (le, model))",
      'sum without(instance) (rate(parity_missing_total{job=~"api|web",code!="200"}[90s] offset 1h))',
      "max_over_time(parity_missing[10m:30s]) or rate(parity_missing[7d]) or rate(parity_missing[1d])",
      "parity_missing * on(kind) group_left(team) parity_missing_info",
      "-parity_missing > bool 0.001 < Inf",
      'label_replace(parity_missing, "dst", "$1", "src", "(.*)")',
      "(parity_missing + 1) / 2 ^ 3 unless parity_missing @ start()",
      'count_values("value", parity_missing) or quantile(0.9, parity_missing) or topk(3, parity_missing offset -5m)',
      "time() - parity_missing_timestamp > 300 and absent_over_time(parity_gauge[1m])",
    ].map((expr, i) => ({ record: `printing:r${i}`, expr })),
  },
];
const RULE_COUNT = GROUPS.reduce((n, g) => n + g.rules.length, 0);

const VALUES: Record<string, number> = { a: 42, b: 1.5, c: 1234567.891 };
const TIMESTAMPS: Record<string, number> = { epoch: 0, day: 90061, neg: -1234.5, negsmall: -0.000123, frac: 1700000000.123456, recent: 1764640000.5 };
const SPECIAL: Record<string, number> = {
  nan: NaN, inf: Infinity, neginf: -Infinity, big: 1e17, negsmall: -0.000123, e5: 100000, e6: 1000000,
  sum: 0.1 + 0.2, tiny: 1.5e-7, day: 90061, half: 0.5, zero: 0, neg: -1234.5,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

let own: OwnDatabase;
let stack: TestStack;
let valuesTenant: { tenantId: number; key: string };
let prom: PrometheusInstance;
let dir: string;
let ruleFile: string;
let startedAt: number;
const ours: Record<string, Doc> = {};
/** Prometheus's answers without the "values" group, and with it alone; ours for the tenant that has it. */
const theirs: Record<string, Doc> = {};
const theirValues: Record<string, Doc> = {};
const oursValues: Record<string, { status: number; body: Doc }> = {};
const PATHS = ["/api/v1/rules", "/api/v1/rules?type=alert", "/api/v1/rules?type=record", "/api/v1/rules?type=ALERT", "/api/v1/alerts"];
/** What the rules wrote back, read at the same instant on both sides. */
const WRITTEN = ["ALERTS", "ALERTS_FOR_STATE", '{__name__=~"parity:.*|limited:.*|printing:.*"}'];
const writtenOurs: Record<string, Doc> = {};
const writtenTheirs: Record<string, Doc> = {};

function series(t0: number): PushSeries[] {
  const ts = Array.from({ length: 17 }, (_, i) => t0 - (16 - i) * 15_000);
  const mk = (labels: Record<string, string>, v: number): PushSeries => ({ labels, timestamps: ts, values: Float64Array.from(ts, () => v) });
  return [
    ...Object.entries(VALUES).map(([kind, v]) => mk({ __name__: "parity_gauge", kind }, v)),
    mk({ __name__: "parity_dup", i: "1" }, 1),
    mk({ __name__: "parity_dup", i: "2" }, 1),
    mk({ __name__: "parity_gone" }, 3),
    ...Object.entries(TIMESTAMPS).map(([v, x]) => mk({ __name__: "parity_ts", v }, x)),
    ...Object.entries(SPECIAL).map(([v, x]) => mk({ __name__: "parity_special", v, severity: "from-series", drop: "x" }, x)),
  ];
}

/** The answer with (only = true) or without the "values" group and its alerts. */
function split(doc: Doc, only: boolean): Doc {
  const data = doc.data.groups
    ? { ...doc.data, groups: doc.data.groups.filter((g: Doc) => (g.name === VALUES_GROUP) === only) }
    : { ...doc.data, alerts: doc.data.alerts.filter((a: Doc) => VALUES_ALERTS.includes(a.labels.alertname) === only) };
  return { ...doc, data };
}

async function getJson(base: string, path: string, key?: string): Promise<Doc> {
  const res = await fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  expect(res.status, `${base}${path}`).toBe(200);
  return res.json();
}

const allRules = (doc: Doc): Doc[] => doc.data.groups.flatMap((g: Doc) => g.rules);
const rule = (doc: Doc, name: string): Doc => allRules(doc).find((r: Doc) => r.name === name);

const oursProblems: string[] = [];
const theirProblems: string[] = [];
/** Times of this run: from 5 minutes before it (slots, the data) to a little after now. */
const normalise = (v: Doc, side: "ours" | "theirs") =>
  side === "ours"
    ? normaliseRulesApi(v, { fileName: NAMESPACE, from: startedAt - 5 * 60_000, to: () => Date.now() + 5_000, problems: oursProblems })
    : normaliseRulesApi(v, { fileName: ruleFile, from: startedAt - 5 * 60_000, to: () => Date.now() + 5_000, problems: theirProblems });
const norm = (path: string) => ({ ours: normalise(ours[path], "ours"), theirs: normalise(theirs[path], "theirs") });

beforeAll(async () => {
  own = await createOwnDatabase("rules_parity");
  stack = await startTestStack({ databaseUrl: own.url });
  valuesTenant = await stack.tenantWithKey(`rules-parity-values-${Date.now().toString(36)}`);
  dir = mkdtempSync(join(tmpdir(), "rules-parity-"));
  ruleFile = join(dir, "parity.rules.json");
  writeFileSync(ruleFile, JSON.stringify({ groups: GROUPS })); // JSON is YAML
  prom = await startPrometheus({ config: JSON.stringify({ global: { evaluation_interval: "10s" }, rule_files: [ruleFile] }) });

  startedAt = Date.now();
  const t0 = Math.floor(startedAt / 1000) * 1000;
  const data = series(t0);
  await pushInTimeOrder(prom.url, data);
  for (const key of [stack.key, valuesTenant.key]) await pushInTimeOrder(stack.url, data, { headers: { authorization: `Bearer ${key}` } });
  await eventually(async () => (await getJson(stack.url, `/api/v1/query?query=count(parity_special)%2Bcount(parity_ts)&time=${t0 / 1000}`, valuesTenant.key)).data.result[0]?.value[1] === String(Object.keys(SPECIAL).length + Object.keys(TIMESTAMPS).length), 20_000, "the other tenant's samples stored");
  await eventually(async () => (await getJson(stack.url, `/api/v1/query?query=count(parity_gauge)%2Bcount(parity_dup)%2Bcount(parity_special)&time=${t0 / 1000}`, stack.key)).data.result[0]?.value[1] === String(5 + Object.keys(SPECIAL).length), 20_000, "the samples stored");

  for (const g of [...GROUPS].reverse()) {
    const key = g.name === VALUES_GROUP ? valuesTenant.key : stack.key;
    const res = await fetch(`${stack.url}/admin/v1/rules/${NAMESPACE}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/yaml" }, body: stringify(g) });
    expect(res.status, await res.clone().text()).toBe(202);
  }
  // One evaluation with parity_gone there on each side, then parity_gone goes stale, then a later
  // evaluation (10 s on at least: the shortest interval the cron takes; the `for: 10s` passes too).
  await stack.runCron();
  const firstSlot = Math.floor(Date.now() / 10_000) * 10_000;
  await eventually(async () => rule(await getJson(prom.url, "/api/v1/rules"), "ParityResolved").state === "firing", 30_000, "Prometheus to fire ParityResolved");
  const staleAt = Date.now();
  const stale: PushSeries[] = [{ labels: { __name__: "parity_gone" }, timestamps: [staleAt], values: Float64Array.of(STALE_NAN) }];
  await pushInTimeOrder(prom.url, stale);
  await pushInTimeOrder(stack.url, stale, { headers: { authorization: `Bearer ${stack.key}` } });
  await eventually(async () => (await getJson(stack.url, `/api/v1/query?query=parity_gone&time=${(staleAt + 1) / 1000}`, stack.key)).data.result.length === 0, 20_000, "the staleness marker stored");
  // The cron's next slot must come after the marker; on Prometheus's side an evaluation started well after it (its
  // timestamp is the tick before the start).
  const nextSlot = Math.max(firstSlot + 10_000, (Math.floor(staleAt / 10_000) + 1) * 10_000);
  await new Promise((r) => setTimeout(r, Math.max(0, nextSlot - Date.now() + 200)));
  await stack.runCron();

  await eventually(async () => {
    const doc = await getJson(prom.url, "/api/v1/rules");
    const rules = allRules(doc);
    const parity = doc.data.groups.find((g: Doc) => g.name === "parity");
    return rules.length === RULE_COUNT && rules.every((r: Doc) => r.lastEvaluation !== ZERO_TIME) && Date.parse(parity.lastEvaluation) > staleAt + 500;
  }, 30_000, "Prometheus to evaluate every group after the staleness marker");
  // Prometheus writes ALERTS and ALERTS_FOR_STATE once a group has restored the `for` state, after its second evaluation.
  await eventually(async () => {
    const active = new Set((await getJson(prom.url, "/api/v1/alerts")).data.alerts.map((a: Doc) => a.labels.alertname));
    const written = new Set((await getJson(prom.url, "/api/v1/query?query=count%20by%20(alertname)%20(ALERTS)")).data.result.map((r: Doc) => r.metric.alertname));
    return [...active].every((n) => written.has(n));
  }, 30_000, "Prometheus to write ALERTS for every active alert");

  for (const p of PATHS) {
    ours[p] = await getJson(stack.url, p, stack.key);
    const all = await getJson(prom.url, p);
    theirs[p] = split(all, false);
    theirValues[p] = split(all, true);
    const res = await fetch(`${stack.url}${p}`, { headers: { authorization: `Bearer ${valuesTenant.key}` } });
    oursValues[p] = { status: res.status, body: await res.json() };
  }
  const at = Date.now() / 1000;
  for (const q of WRITTEN) {
    writtenOurs[q] = await getJson(stack.url, `/api/v1/query?query=${encodeURIComponent(q)}&time=${at}`, stack.key);
    const all = await getJson(prom.url, `/api/v1/query?query=${encodeURIComponent(q)}&time=${at}`);
    // The other tenant's alerts apart.
    writtenTheirs[q] = { ...all, data: { ...all.data, result: all.data.result.filter((r: Doc) => !VALUES_ALERTS.includes(r.metric.alertname)) } };
  }
}, 180_000);

afterAll(async () => {
  // PARITY_DUMP=<file>: both sides' raw answers, to read a difference in full.
  if (process.env.PARITY_DUMP) writeFileSync(process.env.PARITY_DUMP, JSON.stringify({ ours, theirs, oursValues, theirValues, writtenOurs, writtenTheirs }, null, 1));
  await prom?.stop();
  await stack?.close();
  await own?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Differences of one rule between the two /api/v1/rules answers. */
function ruleDiff(name: string): string[] {
  const { ours: o, theirs: t } = norm("/api/v1/rules");
  expect(rule(t, name), `Prometheus lists ${name}`).toBeDefined();
  return jsonDiff(rule(o, name), rule(t, name), name);
}

describe("alert values Go spells its own way (NaN, ±Inf, exponents), in value and in templates", () => {
  it("Prometheus fired one alert a value", () => {
    const r = rule(theirValues["/api/v1/rules"], "SpecialValues");
    expect(r.state).toBe("firing");
    expect(r.alerts).toHaveLength(Object.keys(SPECIAL).length);
    expect(rule(theirValues["/api/v1/rules"], "Timestamps").alerts).toHaveLength(Object.keys(TIMESTAMPS).length);
  });

  for (const p of PATHS)
    it(`${p}: the same answer (rule labels over series labels, an empty one dropping the label)`, () => {
      expect(oursValues[p].status, JSON.stringify(oursValues[p].body)).toBe(200);
      const o = normalise(oursValues[p].body, "ours"), t = normalise(theirValues[p], "theirs");
      expect(jsonDiff(o, t, p)).toEqual([]);
    });
});

describe("/api/v1/rules and /api/v1/alerts as Prometheus 2.42 answers them", () => {
  it("the scenario happened on Prometheus's side as intended", () => {
    const t = theirs["/api/v1/rules"];
    const states = Object.fromEntries(allRules(t).filter((r: Doc) => r.type === "alerting").map((r: Doc) => [r.name, r.state]));
    expect(states).toEqual({
      AaaFiring: "firing", ParityFiring: "firing", ParityFiringAfterFor: "firing", ParityPending: "pending", ParityInactive: "inactive",
      ParityKeepFiring: "firing", ParityBadQuery: "inactive", ParityResolved: "inactive", ParityKeptFiring: "firing", ParityPendingGone: "inactive", LimitedAlerts: "inactive",
    });
    expect(rule(t, "LimitedAlerts").health).toBe("err");
    expect(rule(t, "ParityBadQuery").health).toBe("err");
    expect(rule(t, "parity:bad").health).toBe("err");
    expect(rule(t, "parity:gauge:sum").health).toBe("ok");
  });

  it("the whole document is the same JSON (file, times, evaluationTime and error detail aside)", () => {
    const { ours: o, theirs: t } = norm("/api/v1/rules");
    expect(jsonDiff(o, t)).toEqual([]);
  });

  it("groups: ordered by file then name, with name, file, interval, limit, evaluationTime, lastEvaluation", () => {
    const { ours: o, theirs: t } = norm("/api/v1/rules");
    const strip = (d: Doc) => d.data.groups.map(({ rules, ...g }: Doc) => ({ ...g, rules: rules.length }));
    expect(ours["/api/v1/rules"].data.groups.map((g: Doc) => g.file)).toEqual(GROUPS.filter((g) => g.name !== VALUES_GROUP).map(() => NAMESPACE));
    expect(jsonDiff(strip(o), strip(t))).toEqual([]);
  });

  it("an alerting rule firing: templated labels and annotations, values in Go's 'e' format", () => {
    expect(ruleDiff("ParityFiring")).toEqual([]);
    expect(ruleDiff("AaaFiring")).toEqual([]);
  });


  it("an alerting rule that fires once its `for` has passed", () => {
    expect(ruleDiff("ParityFiringAfterFor")).toEqual([]);
  });

  it("an alerting rule pending (a long `for`)", () => {
    expect(ruleDiff("ParityPending")).toEqual([]);
  });

  it("an alerting rule inactive, its query printed as Prometheus prints it", () => {
    expect(ruleDiff("ParityInactive")).toEqual([]);
  });

  it("an alerting rule with keep_firing_for", () => {
    expect(ruleDiff("ParityKeepFiring")).toEqual([]);
  });

  it("an alert resolved (its series went stale): no longer listed, the rule inactive", () => {
    expect(ruleDiff("ParityResolved")).toEqual([]);
  });

  it("an alert kept firing by keep_firing_for after its series went stale", () => {
    expect(ruleDiff("ParityKeptFiring")).toEqual([]);
  });

  it("a group's limit exceeded: the rules fail with Prometheus's message", () => {
    expect(ruleDiff("LimitedAlerts")).toEqual([]);
    expect(ruleDiff("limited:series")).toEqual([]);
  });

  it("queries printed as Prometheus prints the parsed expression", () => {
    const queries = (d: Doc) => allRules(d).filter((r: Doc) => r.name.startsWith("printing:")).map((r: Doc) => r.query);
    expect(queries(ours["/api/v1/rules"])).toEqual(queries(theirs["/api/v1/rules"]));
    for (let i = 0; i < 9; i++) expect(ruleDiff(`printing:r${i}`)).toEqual([]);
  });

  it("a POST: refused as Prometheus's router refuses it (405, Allow)", async () => {
    const answer = async (res: Response) => ({ status: res.status, allow: res.headers.get("allow"), body: await res.text() });
    for (const p of ["/api/v1/rules", "/api/v1/alerts"]) {
      const ours = await answer(await fetch(`${stack.url}${p}`, { method: "POST", headers: { authorization: `Bearer ${stack.key}` } }));
      expect(jsonDiff(ours, await answer(await fetch(`${prom.url}${p}`, { method: "POST" })), p)).toEqual([]);
    }
  });

  it("an unknown ?type: the same status and error", async () => {
    const call = async (base: string, key?: string) => {
      const res = await fetch(`${base}/api/v1/rules?type=alerts`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      return { status: res.status, body: await res.json() };
    };
    expect(jsonDiff(await call(stack.url, stack.key), await call(prom.url))).toEqual([]);
  });

  it("recording rules, with and without labels", () => {
    expect(ruleDiff("parity:gauge:sum")).toEqual([]);
    expect(ruleDiff("parity:gauge:doubled")).toEqual([]);
  });

  it("rules whose evaluation fails: health err and the error (its quoted series aside)", () => {
    expect(ruleDiff("ParityBadQuery")).toEqual([]);
    expect(ruleDiff("parity:bad")).toEqual([]);
  });

  it("the ALERTS, ALERTS_FOR_STATE and recording-rule series written back (ALERTS_FOR_STATE's activeAt aside)", () => {
    // ALERTS_FOR_STATE's value is the alert's activeAt in seconds: a time of this run on both sides.
    const series = (d: Doc, q: string) =>
      d.data.result
        .map((r: Doc) => ({ labels: r.metric, value: q === "ALERTS_FOR_STATE" && Math.abs(Number(r.value[1]) * 1000 - startedAt) < 5 * 60_000 ? "<activeAt>" : r.value[1] }))
        .sort(byLabels);
    for (const q of WRITTEN) expect(jsonDiff(series(writtenOurs[q], q), series(writtenTheirs[q], q), q)).toEqual([]);
    expect(writtenTheirs.ALERTS.data.result.length).toBeGreaterThan(0);
  });

  it("?type=alert, ?type=record and ?type=ALERT", () => {
    for (const p of ["/api/v1/rules?type=alert", "/api/v1/rules?type=record", "/api/v1/rules?type=ALERT"]) {
      const { ours: o, theirs: t } = norm(p);
      expect(jsonDiff(o, t, p)).toEqual([]);
    }
  });

  it("/api/v1/alerts: the active alerts with labels, annotations, state, activeAt and value", () => {
    const { ours: o, theirs: t } = norm("/api/v1/alerts");
    expect(jsonDiff(o, t)).toEqual([]);
  });

  it("times are RFC 3339 times of this run on both sides", () => {
    for (const p of PATHS) norm(p);
    expect(theirProblems).toEqual([]);
    expect(oursProblems).toEqual([]);
  });
});
