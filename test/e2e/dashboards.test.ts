// The shipped Grafana dashboards (dashboards/*.json): their structure, every
// panel query parsed by our PromQL parser once Grafana's variables are
// substituted the way Grafana does, and, on a local stack fed by the demo
// (`runDemo`, one hour backfilled), every variable's values and every panel's
// data through the same HTTP API Grafana calls.
import { runDemo } from "../../cli/demo/index";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExpr, parseSeriesSelector } from "../../workers/query/promql/index";
import {
  allPanels, interpolate, loadDashboards, parseLabelValues, referencedVariables, variableQuery,
  type Builtins, type Dashboard, type Selection, type Target, type Variable,
} from "../helpers/grafana-vars";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

const ROOT = join(import.meta.dirname, "..", "..");
const DIR = join(ROOT, "dashboards");
const dashboards = loadDashboards(DIR);
const STEP_S = 60;
// A one-hour range at a one-minute step. $__rate_interval is Grafana's
// max(4 × scrape interval, step + scrape interval) with the default 15 s scrape
// interval, rounded down to the 1m the brief fixes: the shortest window in use,
// so the hardest for series sampled once a minute (the log-derived ones).
const BUILTINS: Builtins = { rateInterval: "1m", interval: "1m", intervalMs: 60_000, range: "1h", rangeS: 3600 };
const DS_UID = "${datasource}";

const queryVars = (d: Dashboard) => d.templating.list.filter((v) => v.type === "query");
const where = (file: string, panel: { id: number; title: string }, t?: Target) => `${file}: panel ${panel.id} "${panel.title}"${t ? `, target ${t.refId}` : ""}`;
const allSelected = (d: Dashboard): Record<string, Selection> => Object.fromEntries(queryVars(d).map((v) => [v.name, "all" as const]));
const substitute = (text: string, d: Dashboard, selected = allSelected(d)) => interpolate(text, d.templating.list, selected, BUILTINS);

function tryParse(expr: string): string | undefined {
  try {
    parseExpr(expr);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe("dashboards: structure", () => {
  it("five dashboards ship, each with a unique uid", () => {
    expect(dashboards.map((d) => d.file)).toEqual([
      "inferscope-gpu-system.json", "inferscope-overview.json", "inferscope-performance.json", "inferscope-provider-health.json", "inferscope-tokens-cost.json",
    ]);
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
  });

  it.each(dashboards)("$file: Grafana 10 model, a datasource variable used by every panel and target, unique panel ids, known variables", ({ file, dashboard: d }) => {
    const problems: string[] = [];
    if (d.schemaVersion !== 39) problems.push(`schemaVersion ${d.schemaVersion}, not 39`);
    if (!d.tags.includes("inferscope")) problems.push("no inferscope tag");
    const ds = d.templating.list.find((v) => v.name === "datasource");
    if (ds?.type !== "datasource" || ds.query !== "prometheus") problems.push("no datasource variable of type datasource / prometheus");
    const names = new Set(d.templating.list.map((v) => v.name));
    const ids = new Set<number>();
    for (const p of allPanels(d)) {
      if (ids.has(p.id)) problems.push(`${where(file, p)}: duplicate id`);
      ids.add(p.id);
      if (p.type === "row") continue;
      if (p.datasource?.type !== "prometheus" || p.datasource.uid !== DS_UID) problems.push(`${where(file, p)}: datasource ${JSON.stringify(p.datasource)}`);
      if (!p.targets?.length) problems.push(`${where(file, p)}: no targets`);
      // A table sets its units per column (overrides); every other panel once.
      const units = p.type === "table" ? (p.fieldConfig?.overrides ?? []).filter((o) => o.properties.some((x) => x.id === "unit")).length : p.fieldConfig?.defaults?.unit ? 1 : 0;
      if (p.type !== "heatmap" && !units) problems.push(`${where(file, p)}: no unit`);
      for (const t of p.targets ?? []) {
        if (t.datasource?.type !== "prometheus" || t.datasource.uid !== DS_UID) problems.push(`${where(file, p, t)}: datasource ${JSON.stringify(t.datasource)}`);
        for (const n of referencedVariables(t.expr)) if (!names.has(n)) problems.push(`${where(file, p, t)}: unknown variable $${n}`);
        if (/\[(\d+[smhdwy])+\]/.test(t.expr) && !t.expr.includes("$__")) problems.push(`${where(file, p, t)}: fixed rate window; use $__rate_interval or $__range`);
      }
    }
    for (const v of queryVars(d)) {
      if (v.datasource?.uid !== DS_UID) problems.push(`variable ${v.name}: datasource ${JSON.stringify(v.datasource)}`);
      if (!parseLabelValues(variableQuery(v))) problems.push(`variable ${v.name}: not label_values(metric, label): ${variableQuery(v)}`);
      if (v.includeAll && v.allValue !== ".*") problems.push(`variable ${v.name}: includeAll without allValue ".*"`);
      for (const n of referencedVariables(variableQuery(v))) if (!names.has(n)) problems.push(`variable ${v.name}: unknown variable $${n}`);
    }
    expect(problems).toEqual([]);
  });

  it("provisioning: the datasource (uid inferscope, bearer header from INFERSCOPE_QUERY_KEY) and a file provider for this folder", () => {
    const ds = parseYaml(readFileSync(join(DIR, "provisioning/datasources/inferscope.yml"), "utf8")) as { datasources: Array<Record<string, any>> };
    expect(ds.datasources[0]).toMatchObject({
      type: "prometheus", uid: "inferscope",
      jsonData: { httpHeaderName1: "Authorization", prometheusType: "Prometheus", prometheusVersion: "2.42.0" },
      secureJsonData: { httpHeaderValue1: "Bearer ${INFERSCOPE_QUERY_KEY}" },
    });
    const prov = parseYaml(readFileSync(join(DIR, "provisioning/dashboards/inferscope.yml"), "utf8")) as { providers: Array<Record<string, any>> };
    expect(prov.providers[0]).toMatchObject({ type: "file", options: { path: expect.any(String) } });
  });
});

describe("dashboards: every query parses once Grafana has substituted its variables", () => {
  it.each(dashboards)("$file", ({ file, dashboard: d }) => {
    // All (allValue ".*"), one value and two values (a regex group) per variable,
    // with values that need escaping ("." and ":" as in model names).
    const selections: Record<string, Selection>[] = [
      allSelected(d),
      Object.fromEntries(queryVars(d).map((v) => [v.name, ["llama-3.1-8b:q4"]])),
      Object.fromEntries(queryVars(d).map((v) => [v.name, ["gpt-4o", "llama-3.1-8b:q4"]])),
    ];
    const problems: string[] = [];
    for (const p of allPanels(d)) {
      for (const t of p.targets ?? []) {
        for (const sel of selections) {
          const expr = substitute(t.expr, d, sel);
          const err = tryParse(expr);
          if (err) problems.push(`${where(file, p, t)} (${JSON.stringify(sel)}): ${err}\n  ${expr}`);
          if (/\$(?!\d)\w/.test(expr)) problems.push(`${where(file, p, t)}: a variable survived substitution: ${expr}`);
        }
      }
    }
    for (const v of queryVars(d)) {
      const lv = parseLabelValues(substitute(variableQuery(v), d));
      if (lv?.metric) {
        try {
          parseSeriesSelector(lv.metric);
        } catch (err) {
          problems.push(`${file}: variable ${v.name}: ${(err as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

// ---- on demo data, through the query API ----

let stack: TestStack;
let endS = 0;

async function api(path: string, params: Record<string, string | string[]>): Promise<{ status: string; error?: string; data: any }> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) qs.append(k, x);
  const res = await fetch(`${stack.url}${path}?${qs}`, { headers: { authorization: `Bearer ${stack.key}` } });
  return (await res.json()) as { status: string; error?: string; data: any };
}

/** What Grafana asks for a target: an instant query at the range end, or a range query over the hour. */
async function seriesWithData(expr: string, instant: boolean): Promise<number> {
  const body = instant
    ? await api("/api/v1/query", { query: expr, time: String(endS) })
    : await api("/api/v1/query_range", { query: expr, start: String(endS - 3600), end: String(endS), step: String(STEP_S) });
  if (body.status !== "success") throw new Error(body.error ?? "query failed");
  const result = body.data.result as Array<{ value?: unknown; values?: unknown[] }> | [number, string];
  if (body.data.resultType === "scalar") return 1;
  return (result as Array<{ value?: unknown; values?: unknown[] }>).filter((s) => s.value !== undefined || (s.values?.length ?? 0) > 0).length;
}

describe("dashboards: on an hour of demo data every variable has values and every panel shows data", () => {
  beforeAll(async () => {
    stack = await startTestStack();
    await runDemo({ url: stack.url, key: stack.key, backfill: "1h", durationMs: 0, seed: 1, log: () => {} });
    // The demo returns when its batches are accepted; wait until the aggregator has stored them.
    let last = "";
    await eventually(async () => {
      const counts = await Promise.all(["sum(llm_requests_total)", "count(up)", "count(DCGM_FI_DEV_GPU_TEMP)"].map(async (q) => {
        const r = (await api("/api/v1/query", { query: q })).data?.result as Array<{ value: [number, string] }> | undefined;
        return r?.[0]?.value[1] ?? "none";
      }));
      const now = counts.join();
      const settled = now === last && !now.includes("none");
      last = now;
      await new Promise((r) => setTimeout(r, 1000));
      return settled;
    }, 120_000, "the demo's data stored");
    // The query worker's cron writes Inferscope's own ingest-health series, one
    // sample a minute: run it in two minutes so that their rates have two samples.
    await stack.runCron();
    await new Promise((r) => setTimeout(r, 61_000 - (Date.now() % 60_000)));
    await stack.runCron();
    endS = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S;
  }, 600_000);
  afterAll(() => stack?.close());

  it.each(dashboards)("$file: every query variable lists values", async ({ file, dashboard: d }) => {
    const empty: string[] = [];
    for (const v of queryVars(d) as Variable[]) {
      const lv = parseLabelValues(substitute(variableQuery(v), d))!;
      const body = await api(`/api/v1/label/${lv.label}/values`, { ...(lv.metric ? { "match[]": lv.metric } : {}), start: String(endS - 3600), end: String(endS) });
      if (body.status !== "success" || !(body.data as string[]).length) empty.push(`${file}: variable ${v.name} (${variableQuery(v)}): ${body.error ?? "no values"}`);
    }
    expect(empty).toEqual([]);
  });

  it.each(dashboards)("$file: every panel has at least one target with data", async ({ file, dashboard: d }) => {
    const empty: string[] = [];
    for (const p of allPanels(d)) {
      if (!p.targets?.length) continue;
      const tried: string[] = [];
      let found = false;
      for (const t of p.targets) {
        const expr = substitute(t.expr, d);
        try {
          if ((await seriesWithData(expr, t.instant === true)) > 0) {
            found = true;
            break;
          }
          tried.push(`  ${t.refId}: no data: ${expr}`);
        } catch (err) {
          tried.push(`  ${t.refId}: ${(err as Error).message}: ${expr}`);
        }
      }
      if (!found) empty.push(`${where(file, p)}\n${tried.join("\n")}`);
    }
    expect(empty).toEqual([]);
  });
});
