// promtool's `test rules` (cmd/promtool/unittest.go, Prometheus 2.42) on our
// evaluator and engine: load the input series, evaluate every group every
// evaluation_interval from 0 to the last eval_time, check firing alerts at each
// alert test's time and PromQL expressions at the end. File access comes in as
// a parameter so this module stays free of Node.
import type { Labels } from "../../../../shared/labels";
import type { GroupState, RuleGroupSpec } from "../../../../shared/rules/types";
import { STALE_NAN } from "../../../../shared/staleness";
import { MemoryStorage } from "../../../../shared/storage/memory";
import { instantQuery } from "../../promql/index";
import { evaluateGroup, initialGroupState } from "../evaluate-group";
import { isAlertingRule, parseRuleFile, RuleFileError } from "../rule-file";
import { compareLabels, formatFloatE, goDuration, goQuote, indentLines, labelsString, modelDuration } from "./go-text";
import { expandValues, parseMetric } from "./series-notation";
import { parseUnitTestFile, type TestGroup } from "./test-file";

export interface TestFs {
  readFile(path: string): Promise<string>;
  /** Paths matching a glob pattern (or the path itself when it exists and has no pattern). */
  glob(pattern: string): Promise<string[]>;
}

/** What promtool writes, in order: each line to stdout or stderr. */
export interface Report {
  passed: boolean;
  chunks: { stream: "stdout" | "stderr"; text: string }[];
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i);
}

/** filepath.Join: joined and cleaned. */
export function joinPath(dir: string, file: string): string {
  const abs = dir.startsWith("/");
  const parts: string[] = [];
  for (const seg of `${dir}/${file}`.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && parts.length && parts[parts.length - 1] !== "..") parts.pop();
    else if (seg !== ".." || !abs) parts.push(seg);
  }
  return (abs ? "/" : "") + parts.join("/") || (abs ? "/" : ".");
}

interface LoadedGroup {
  file: string;
  group: RuleGroupSpec;
}

async function loadRules(fs: TestFs, files: string[]): Promise<{ groups: LoadedGroup[]; errors: string[] }> {
  const groups: LoadedGroup[] = [];
  const errors: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file);
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message}`);
      continue;
    }
    try {
      for (const g of parseRuleFile(text, file).groups) groups.push({ file, group: g });
    } catch (e) {
      if (!(e instanceof RuleFileError)) throw e;
      for (const p of e.problems) errors.push(`${file}: ${p}`);
    }
  }
  return { groups, errors };
}

function loadSeries(tg: TestGroup): MemoryStorage {
  const storage = new MemoryStorage();
  const seen = new Map<string, Set<number>>();
  for (const is of tg.inputSeries) {
    const labels = parseMetric(is.series);
    const key = JSON.stringify(Object.entries(labels).sort());
    const times = seen.get(key) ?? new Set<number>();
    seen.set(key, times);
    expandValues(is.values).forEach((v, i) => {
      const t = i * tg.interval;
      // The TSDB keeps the first sample at a timestamp (promtool 2.42 with no interval puts them all at 0).
      if (v === undefined || times.has(t)) return;
      times.add(t);
      storage.append(labels, t, v === "stale" ? STALE_NAN : v);
    });
  }
  return storage;
}

interface AlertLA {
  labels: Labels;
  annotations: Labels;
}

function laString(list: AlertLA[]): string {
  if (list.length === 0) return "[]";
  const one = (a: AlertLA) => `Labels:${labelsString(a.labels)}\nAnnotations:${labelsString(a.annotations)}`;
  let s = "[\n0:" + indentLines("\n" + one(list[0]), "  ");
  list.slice(1).forEach((a, i) => (s += `,\n${i + 1}:` + indentLines("\n" + one(a), "  ")));
  return s + "\n]";
}

function sameLabels(a: Labels, b: Labels): boolean {
  return compareLabels(a, b) === 0 && Object.keys(a).length === Object.keys(b).length;
}

function sortLA(list: AlertLA[]): AlertLA[] {
  return list.sort((x, y) => compareLabels(x.labels, y.labels) || compareLabels(x.annotations, y.annotations));
}

async function runTestGroup(tg: TestGroup, evalInterval: number, order: Map<string, number>, loaded: { groups: LoadedGroup[]; errors: string[] }): Promise<string[]> {
  let storage: MemoryStorage;
  try {
    storage = loadSeries(tg);
  } catch (e) {
    return [(e as Error).message];
  }
  if (loaded.errors.length) return loaded.errors;
  const groups = loaded.groups.map((g, i) => ({ ...g, i })).sort((a, b) => (order.get(a.group.name) ?? 0) - (order.get(b.group.name) ?? 0) || a.i - b.i);
  const states: GroupState[] = groups.map((g) => initialGroupState(g.group));

  const maxt = Math.max(0, ...tg.alertRuleTests.map((a) => a.evalTime), ...tg.promqlExprTests.map((p) => p.evalTime));
  for (const a of tg.alertRuleTests) {
    if (a.alertname === "") return [`an item under alert_rule_test misses required attribute alertname at eval_time ${modelDuration(a.evalTime)}${tg.name ? ` (in TestGroup ${tg.name})` : ""}`];
  }
  const alertTimes = [...new Set(tg.alertRuleTests.map((a) => a.evalTime))].sort((a, b) => a - b);
  let curr = 0;
  const errs: string[] = [];
  // promtool sets the suite's no-step subquery interval to evaluation_interval, for rules and expression tests alike.
  const evalOpts = { externalURL: tg.externalURL, externalLabels: tg.externalLabels, noStepSubqueryIntervalMs: evalInterval };

  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    const evalErrs: string[] = [];
    for (let gi = 0; gi < groups.length; gi++) {
      const ev = await evaluateGroup(storage, groups[gi].group, ts, states[gi], evalOpts);
      states[gi] = ev.state;
      for (const s of ev.series) storage.append(s.labels, s.timestamp, s.value);
      groups[gi].group.rules.forEach((r, ri) => {
        const rs = ev.state.rules[ri];
        if (rs.health === "err") evalErrs.push(`    rule: ${isAlertingRule(r) ? r.alert : r.record}, time: ${goDuration(ts)}, err: ${rs.lastError}`);
      });
    }
    errs.push(...evalErrs);
    if (evalErrs.length) return errs;

    while (curr < alertTimes.length && ts <= alertTimes[curr] && alertTimes[curr] < ts + evalInterval) {
      const t = alertTimes[curr++];
      const tests = tg.alertRuleTests.filter((a) => a.evalTime === t);
      const names = new Set(tests.map((a) => a.alertname));
      const got = new Map<string, AlertLA[]>();
      groups.forEach((g, gi) =>
        g.group.rules.forEach((r, ri) => {
          if (!isAlertingRule(r) || !names.has(r.alert)) return;
          const firing = states[gi].rules[ri].alerts.filter((a) => a.state === "firing" && a.resolvedAt === undefined);
          got.set(r.alert, [...(got.get(r.alert) ?? []), ...firing.map((a) => ({ labels: { ...a.labels }, annotations: { ...a.annotations } }))]);
        }),
      );
      for (const tc of tests) {
        const gotAlerts = sortLA([...(got.get(tc.alertname) ?? [])]);
        const expAlerts = sortLA(tc.expAlerts.map((a) => ({ labels: { ...a.expLabels, alertname: tc.alertname }, annotations: { ...a.expAnnotations } })));
        const equal = gotAlerts.length === expAlerts.length && gotAlerts.every((g, i) => sameLabels(g.labels, expAlerts[i].labels) && sameLabels(g.annotations, expAlerts[i].annotations));
        if (!equal) {
          const testName = tg.name ? `    name: ${tg.name},\n` : "";
          errs.push(`${testName}    alertname: ${tc.alertname}, time: ${modelDuration(tc.evalTime)}, \n        exp:${indentLines(laString(expAlerts), "            ")}, \n        got:${indentLines(laString(gotAlerts), "            ")}`);
        }
      }
    }
  }

  outer: for (const tc of tg.promqlExprTests) {
    const time = modelDuration(tc.evalTime);
    let got: { labels: Labels; value: number }[];
    try {
      const r = await instantQuery(storage, tc.expr, tc.evalTime, { noStepSubqueryIntervalMs: evalInterval });
      if (r.resultType === "vector") got = r.result.map((s) => ({ labels: s.metric, value: s.v }));
      else if (r.resultType === "scalar") got = [{ labels: {}, value: r.result.v }];
      else throw new Error("rule result is not a vector or scalar");
    } catch (e) {
      errs.push(`    expr: ${goQuote(tc.expr)}, time: ${time}, err: ${(e as Error).message}`);
      continue;
    }
    const exp: { labels: Labels; value: number }[] = [];
    for (const s of tc.expSamples) {
      try {
        exp.push({ labels: parseMetric(s.labels), value: s.value });
      } catch (e) {
        errs.push(`    expr: ${goQuote(tc.expr)}, time: ${time}, err: labels ${goQuote(s.labels)}: ${(e as Error).message}`);
        continue outer;
      }
    }
    const byLabels = (a: { labels: Labels }, b: { labels: Labels }) => compareLabels(a.labels, b.labels);
    exp.sort(byLabels);
    got.sort(byLabels);
    const equal = exp.length === got.length && exp.every((e, i) => sameLabels(e.labels, got[i].labels) && e.value === got[i].value);
    if (!equal) {
      const str = (l: typeof exp) => (l.length === 0 ? "nil" : l.map((s) => `${labelsString(s.labels)} ${formatFloatE(s.value)}`).join(", "));
      errs.push(`    expr: ${goQuote(tc.expr)}, time: ${time},\n        exp: ${str(exp)}\n        got: ${str(got)}`);
    }
  }
  return errs;
}

async function testFile(fs: TestFs, filename: string, report: Report["chunks"]): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(filename);
  } catch {
    return [`open ${filename}: no such file or directory`];
  }
  let file;
  try {
    file = parseUnitTestFile(text);
  } catch (e) {
    return [(e as Error).message];
  }
  const ruleFiles: string[] = [];
  for (const rf of file.ruleFiles) {
    const path = rf !== "" && !rf.startsWith("/") ? joinPath(dirname(filename), rf) : rf;
    const m = await fs.glob(path);
    if (m.length === 0) report.push({ stream: "stderr", text: `  WARNING: no file match pattern ${path}\n` });
    ruleFiles.push(...m);
  }
  const order = new Map<string, number>();
  for (const [i, g] of file.groupEvalOrder.entries()) {
    if (order.has(g)) return [`group name repeated in evaluation order: ${g}`];
    order.set(g, i);
  }
  const loaded = await loadRules(fs, ruleFiles);
  const errs: string[] = [];
  for (const tg of file.tests) errs.push(...(await runTestGroup(tg, file.evaluationInterval, order, loaded)));
  return errs;
}

/** Runs promtool-format test files; the report is what `promtool test rules` prints. */
export async function runRuleTests(fs: TestFs, files: string[]): Promise<Report> {
  const chunks: Report["chunks"] = [];
  let failed = false;
  for (const f of files) {
    chunks.push({ stream: "stdout", text: `Unit Testing:  ${f}\n` });
    const errs = await testFile(fs, f, chunks);
    if (errs.length) {
      failed = true;
      chunks.push({ stream: "stderr", text: "  FAILED:\n" });
      for (const e of errs) {
        chunks.push({ stream: "stderr", text: e + "\n" });
        chunks.push({ stream: "stdout", text: "\n" });
      }
    } else chunks.push({ stream: "stdout", text: "  SUCCESS\n" });
    chunks.push({ stream: "stdout", text: "\n" });
  }
  return { passed: !failed, chunks };
}
