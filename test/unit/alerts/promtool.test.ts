// The shipped alert rules (dashboards/alerts): real promtool checks and runs
// them and their unit tests; our runner (what `inferscope rules test` runs)
// must pass the same test files; and every alert carries what an on-call
// person needs (severity, summary, description, a runbook section that
// exists), uses only the template subset our evaluator supports and only
// metric names the dashboards and the demo agree on, and is covered by tests
// that see it fire, stay quiet before its `for`, and resolve.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseExpr } from "../../../workers/query/promql/parse";
import { runRuleTestFiles } from "../../../workers/query/rules/unit-test/index";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ALERTS = "dashboards/alerts";
const PROMTOOL = process.env.PROMTOOL ?? "promtool";

const ruleFiles = readdirSync(`${ROOT}${ALERTS}`).filter((f) => f.endsWith(".yml")).sort().map((f) => `${ALERTS}/${f}`);
const testFiles = readdirSync(`${ROOT}${ALERTS}/tests`).filter((f) => f.endsWith(".test.yml")).sort().map((f) => `${ALERTS}/tests/${f}`);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: { file: string; rule: Rule }[] = ruleFiles.flatMap((file) =>
  (parse(readFileSync(`${ROOT}${file}`, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules.map((rule) => ({ file, rule }))),
);
const alerts = rules.filter((r) => r.rule.alert !== undefined);

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      done({ code, output: `${stdout}${stderr}${err && code === -1 ? err.message : ""}` });
    });
  });
}

describe("shipped alert rules", () => {
  it("has rule files, test files and about 20 alerts", () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(5);
    expect(testFiles.length).toBe(ruleFiles.length);
    expect(alerts.length).toBeGreaterThanOrEqual(20);
  });

  it("pass `promtool check rules`", async () => {
    const r = await run(PROMTOOL, ["check", "rules", ...ruleFiles]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("pass their unit tests in `promtool test rules`", async () => {
    const r = await run(PROMTOOL, ["test", "rules", ...testFiles]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain("FAILED");
  });

  it("pass the same unit tests on our evaluator (inferscope rules test)", async () => {
    // Absolute paths: each file's rule_files resolve against its own directory, whatever the cwd.
    const r = await runRuleTestFiles(testFiles.map((f) => `${ROOT}${f}`));
    expect(r.passed, r.output).toBe(true);
  });

  const readme = readFileSync(`${ROOT}${ALERTS}/README.md`, "utf8");
  // GitHub's heading anchors: lower case, punctuation dropped, spaces to "-".
  const anchors = new Set(
    [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-")),
  );

  it.each(alerts.map((a) => [a.rule.alert!, a] as const))("%s has severity, summary, description and a runbook section", (name, { file, rule }) => {
    expect(["critical", "warning", "info"], `${file}: ${name}: severity`).toContain(rule.labels?.severity);
    const ann = rule.annotations ?? {};
    expect(Object.keys(ann).sort(), `${file}: ${name}: annotations`).toEqual(["description", "runbook_url", "summary"]);
    for (const key of ["summary", "description"]) expect(ann[key]?.trim().length, `${file}: ${name}: ${key}`).toBeGreaterThan(10);
    const m = /^dashboards\/alerts\/README\.md#([a-z0-9_-]+)$/.exec(ann.runbook_url ?? "");
    expect(m, `${file}: ${name}: runbook_url ${ann.runbook_url}`).not.toBeNull();
    expect(m![1], `${file}: ${name}: runbook anchor`).toBe(name.toLowerCase());
    expect(anchors.has(m![1]), `${file}: ${name}: no "### ${name}" section in ${ALERTS}/README.md`).toBe(true);
  });

  it("have unique alert names, and recording rules named level:metric:operations", () => {
    const names = alerts.map((a) => a.rule.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules.filter((x) => x.rule.record !== undefined)) expect(r.rule.record, r.file).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
  });

  it("use only the template subset our evaluator supports", () => {
    const allowed = [
      /^\$labels\.[A-Za-z_][A-Za-z0-9_]*$/,
      /^\$externalLabels\.[A-Za-z_][A-Za-z0-9_]*$/,
      /^\$value$/,
      /^\$value \| (humanize|humanizePercentage|humanizeDuration)$/,
      /^printf "%\.2f" \$value$/,
    ];
    for (const { file, rule } of alerts) {
      for (const [key, text] of Object.entries(rule.annotations ?? {})) {
        for (const m of text.matchAll(/\{\{(.*?)\}\}/g)) {
          const action = m[1].trim();
          expect(allowed.some((re) => re.test(action)), `${file}: ${rule.alert}: ${key}: {{${m[1]}}}`).toBe(true);
        }
        expect(text.replace(/\{\{.*?\}\}/g, ""), `${file}: ${rule.alert}: ${key}: unbalanced braces`).not.toMatch(/\{\{|\}\}/);
      }
    }
  });

  // The names helpers A (alerts), G (dashboards) and D (demo) agreed on, and the recording rules' outputs.
  const KNOWN = new Set([
    "llm_requests_total", "llm_request_duration_seconds_bucket", "llm_request_duration_seconds_sum", "llm_request_duration_seconds_count",
    "llm_time_to_first_token_seconds_bucket", "llm_time_to_first_token_seconds_sum", "llm_time_to_first_token_seconds_count",
    "llm_tokens_total", "llm_cost_usd_total",
    "litellm_proxy_total_requests_metric_total", "litellm_proxy_failed_requests_metric_total", "litellm_spend_metric_total",
    "litellm_deployment_failure_responses_total", "litellm_deployment_total_requests_total",
    "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "vllm:num_requests_running", "vllm:num_requests_waiting",
    "vllm:time_to_first_token_seconds_bucket", "vllm:e2e_request_latency_seconds_bucket", "vllm:request_queue_time_seconds_bucket",
    "llamacpp:requests_processing", "llamacpp:requests_deferred",
    "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS",
    "up",
    // The agent's synthetic checks (cli/agent/collectors/llm-probe.ts), which the demo simulates too.
    "llm_probe_success", "llm_probe_ttft_seconds",
    "inferscope_agent_queue_bytes", "inferscope_agent_queue_max_bytes", "inferscope_agent_send_errors_total", "inferscope_agent_batches_dropped_total",
    "inferscope_ingest_last_write_timestamp_seconds", "inferscope_dead_letter_items_total", "inferscope_rule_evaluation_failures_total",
    ...rules.flatMap((r) => (r.rule.record ? [r.rule.record] : [])),
  ]);

  function selectorNames(node: unknown, out: string[] = []): string[] {
    if (Array.isArray(node)) for (const n of node) selectorNames(n, out);
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (o.kind === "VectorSelector") out.push(typeof o.name === "string" ? o.name : "");
      for (const v of Object.values(o)) selectorNames(v, out);
    }
    return out;
  }

  it("parse with our PromQL parser and read only agreed metric names", () => {
    for (const { file, rule } of rules) {
      const names = selectorNames(parseExpr(rule.expr));
      for (const n of names) expect(KNOWN.has(n), `${file}: ${rule.alert ?? rule.record}: metric ${JSON.stringify(n)}`).toBe(true);
    }
  });

  // Coverage from the test files' structure: per alert, a test where it fires,
  // an earlier evaluation in the same test where that alert (same labels) is
  // not yet firing (when it has a `for`), and a later one where it no longer is.
  interface AlertCase { eval_time: string; alertname: string; exp_alerts?: { exp_labels?: Record<string, unknown> }[] }
  const seconds = (d: string) => [...d.matchAll(/(\d+)(ms|[smhdwy])/g)].reduce((s, [, n, u]) => s + Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[u]!, 0);
  const cases = testFiles.flatMap((file) =>
    ((parse(readFileSync(`${ROOT}${file}`, "utf8")) as { tests: { alert_rule_test?: AlertCase[] }[] }).tests).map((t, i) => ({
      where: `${file} test ${i + 1}`,
      evals: (t.alert_rule_test ?? []).map((c) => ({
        t: seconds(c.eval_time),
        name: c.alertname,
        firing: new Set((c.exp_alerts ?? []).map((a) => JSON.stringify(Object.entries(a.exp_labels ?? {}).map(([k, v]) => [k, String(v)]).sort()))),
      })),
    })),
  );

  it.each(alerts.map((a) => [a.rule.alert!, a.rule] as const))("%s is tested firing, before its for, and resolving", (name, rule) => {
    let fires = false, before = false, resolves = false;
    for (const c of cases) {
      const evals = c.evals.filter((e) => e.name === name).sort((a, b) => a.t - b.t);
      for (const e of evals) {
        for (const key of e.firing) {
          fires = true;
          if (evals.some((x) => x.t < e.t && !x.firing.has(key))) before = true;
          if (evals.some((x) => x.t > e.t && !x.firing.has(key))) resolves = true;
        }
      }
    }
    expect(fires, `${name}: no test expects it to fire`).toBe(true);
    if (rule.for && seconds(rule.for) > 0) expect(before, `${name}: no test checks it is not firing before its for (${rule.for})`).toBe(true);
    // The watchdog never resolves, by design.
    if (rule.expr.trim() !== "vector(1)") expect(resolves, `${name}: no test checks that it resolves`).toBe(true);
  });
});
