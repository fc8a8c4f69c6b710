// The rule-group admin API (Mimir's ruler config API under /admin/v1/rules),
// its validation and limits, tenant isolation, `inferscope rules sync|list|delete`,
// and /api/v1/rules for groups not evaluated yet.
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { startTestStack, type TestStack } from "../helpers/stack";

// A database of its own: another file's cron evaluates every tenant's groups,
// and these tests look at groups before their first evaluation.
let own: OwnDatabase;
let stack: TestStack;
beforeAll(async () => {
  own = await createOwnDatabase("rules_admin");
  stack = await startTestStack({ databaseUrl: own.url });
});
afterAll(async () => {
  await stack?.close();
  await own?.drop();
});

const GROUP = `name: llm
interval: 30s
rules:
  - record: job:llm_requests:rate5m
    expr: sum(rate(llm_requests_total[5m])) by (job)
  - alert: HighErrorRate
    expr: job:llm_requests:rate5m > 10
    for: 5m
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.job }} is failing"
`;

function call(method: string, path: string, opts: { key?: string; body?: string; json?: boolean } = {}) {
  return fetch(`${stack.url}/admin/v1/rules${path}`, {
    method,
    headers: { authorization: `Bearer ${opts.key ?? stack.key}`, ...(opts.json ? { accept: "application/json" } : {}), ...(opts.body !== undefined ? { "content-type": "application/yaml" } : {}) },
    body: opts.body,
  });
}

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

describe("admin rule groups", () => {
  it("creates, reads back as YAML, replaces and deletes a group", async () => {
    const post = await call("POST", "/prod", { body: GROUP });
    expect(post.status).toBe(202);
    expect(((await post.json()) as { data: { result: string } }).data.result).toBe("created");

    const one = await call("GET", "/prod/llm");
    expect(one.status).toBe(200);
    expect(one.headers.get("content-type")).toMatch(/application\/yaml/);
    const text = await one.text();
    expect(text.startsWith("name: llm\ninterval: 30s\nrules:\n  - record: job:llm_requests:rate5m\n")).toBe(true);
    expect(parseYaml(text)).toEqual(parseYaml(GROUP));

    const all = parseYaml(await (await call("GET", "")).text()) as Record<string, unknown[]>;
    expect(Object.keys(all)).toEqual(["prod"]);
    expect(all.prod).toEqual([parseYaml(GROUP)]);
    const json = (await (await call("GET", "/prod", { json: true })).json()) as { status: string; data: Record<string, unknown[]> };
    expect(json.data.prod).toHaveLength(1);

    // The same group again changes nothing; a changed one replaces it.
    expect(((await (await call("POST", "/prod", { body: GROUP })).json()) as { data: { result: string } }).data.result).toBe("unchanged");
    const changed = GROUP.replace("for: 5m", "for: 10m");
    expect(((await (await call("POST", "/prod", { body: changed })).json()) as { data: { result: string } }).data.result).toBe("updated");
    expect(parseYaml(await (await call("GET", "/prod/llm")).text())).toEqual(parseYaml(changed));

    // JSON is YAML too (Grafana's ruler client posts JSON).
    const asJson = JSON.stringify({ name: "second", rules: [{ record: "x:y", expr: "vector(1)" }] });
    expect((await call("POST", "/prod", { body: asJson })).status).toBe(202);

    expect((await call("DELETE", "/prod/llm")).status).toBe(202);
    expect((await call("GET", "/prod/llm")).status).toBe(404);
    expect(await errorOf(await call("DELETE", "/prod/llm"))).toBe('no rule group "llm" in namespace "prod"');
    expect((await call("DELETE", "/prod")).status).toBe(202);
    expect((await call("GET", "/prod")).status).toBe(404);
    expect(parseYaml(await (await call("GET", "")).text())).toEqual({});
  });

  it("refuses invalid groups with a message that says what is wrong, storing nothing", async () => {
    const cases: Array<[string, RegExp]> = [
      ["", /request body is empty/],
      ["name: [unclosed", /not valid YAML/],
      ["name: a\nrules: []\n---\nname: b\nrules: []\n", /2 YAML documents/],
      ["groups:\n  - name: a\n    rules: []\n", /not a rule file with groups:/],
      [GROUP.replace("job:llm_requests:rate5m > 10", "job:llm_requests:rate5m >"), /could not parse expression/],
      [GROUP.replace("interval: 30s", "interval: 5s"), /interval 5s is shorter than 10s/],
      [GROUP.replace("interval: 30s", "interval: soon"), /soon/],
      [`name: big\nrules:\n${Array.from({ length: 101 }, (_, i) => `  - record: r${i}\n    expr: vector(1)\n`).join("")}`, /101 rules, over the limit of 100 per group/],
    ];
    for (const [body, message] of cases) {
      const res = await call("POST", "/bad", { body });
      expect(res.status, body).toBe(400);
      expect(await errorOf(res), body).toMatch(message);
    }
    const huge = await call("POST", "/bad", { body: `name: huge\nrules: []\n# ${"x".repeat(300 * 1024)}\n` });
    expect(huge.status).toBe(413);
    const after = await call("GET", "/bad");
    expect(after.status, await after.clone().text()).toBe(404);
  });

  it("keeps each tenant's rules to itself", async () => {
    const a = await stack.tenantWithKey(`rules-a-${Date.now().toString(36)}`);
    const b = await stack.tenantWithKey(`rules-b-${Date.now().toString(36)}`);
    expect((await call("POST", "/ns", { key: a.key, body: GROUP })).status).toBe(202);
    expect((await call("GET", "/ns/llm", { key: b.key })).status).toBe(404);
    expect(parseYaml(await (await call("GET", "", { key: b.key })).text())).toEqual({});
    expect((await call("DELETE", "/ns", { key: b.key })).status).toBe(404);
    const rulesB = (await (await fetch(`${stack.url}/api/v1/rules`, { headers: { authorization: `Bearer ${b.key}` } })).json()) as { data: { groups: unknown[] } };
    expect(rulesB.data.groups).toEqual([]);

    // The bootstrap key names the tenant; a key without the admin scope gets nowhere.
    expect(await errorOf(await call("GET", "", { key: stack.adminKey }))).toMatch(/name the tenant/);
    const viaBootstrap = await call("GET", `/ns/llm?tenant=${a.tenantId}`, { key: stack.adminKey });
    expect(viaBootstrap.status).toBe(200);
    const queryOnly = await stack.tenantWithKey(`rules-q-${Date.now().toString(36)}`, ["query"]);
    expect((await call("GET", "", { key: queryOnly.key })).status).toBe(403);
    expect((await call("DELETE", "/ns", { key: a.key })).status).toBe(202);
  });
});

describe("/api/v1/rules before any evaluation", () => {
  it("lists the group as Prometheus does, filtered by type", async () => {
    const t = await stack.tenantWithKey(`rules-api-${Date.now().toString(36)}`);
    expect((await call("POST", "/team.yml", { key: t.key, body: GROUP })).status).toBe(202);
    const get = async (q: string) => fetch(`${stack.url}/api/v1/rules${q}`, { headers: { authorization: `Bearer ${t.key}` } });
    const body = (await (await get("")).json()) as { status: string; data: { groups: Record<string, unknown>[] } };
    expect(body).toEqual({
      status: "success",
      data: {
        groups: [
          {
            name: "llm",
            file: "team.yml",
            rules: [
              { name: "job:llm_requests:rate5m", query: "sum by (job) (rate(llm_requests_total[5m]))", health: "unknown", evaluationTime: 0, lastEvaluation: "0001-01-01T00:00:00Z", type: "recording" },
              {
                state: "inactive",
                name: "HighErrorRate",
                query: "job:llm_requests:rate5m > 10",
                duration: 300,
                keepFiringFor: 0,
                labels: { severity: "page" },
                annotations: { summary: "{{ $labels.job }} is failing" },
                alerts: [],
                health: "unknown",
                evaluationTime: 0,
                lastEvaluation: "0001-01-01T00:00:00Z",
                type: "alerting",
              },
            ],
            interval: 30,
            limit: 0,
            evaluationTime: 0,
            lastEvaluation: "0001-01-01T00:00:00Z",
          },
        ],
      },
    });
    const alertsOnly = (await (await get("?type=alert")).json()) as { data: { groups: { rules: { type: string }[] }[] } };
    expect(alertsOnly.data.groups[0].rules.map((r) => r.type)).toEqual(["alerting"]);
    const recordOnly = (await (await get("?type=RECORD")).json()) as { data: { groups: { rules: { type: string }[] }[] } };
    expect(recordOnly.data.groups[0].rules.map((r) => r.type)).toEqual(["recording"]);
    const bad = await get("?type=both");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "type": not supported value "both"' });
    expect(await (await fetch(`${stack.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${t.key}` } })).json()).toEqual({ status: "success", data: { alerts: [] } });
  });
});

describe("inferscope rules", () => {
  it("syncs files as namespaces, shows the plan with --dry-run, lists and deletes", async () => {
    const t = await stack.tenantWithKey(`rules-cli-${Date.now().toString(36)}`);
    const cli = (args: string[]) => runCli(["rules", ...args], stack.url, t.key);
    const dir = mkdtempSync(join(tmpdir(), "inferscope-rules-"));
    mkdirSync(join(dir, "more"));
    writeFileSync(join(dir, "llm.yml"), `groups:\n  - ${GROUP.trimEnd().split("\n").join("\n    ")}\n  - name: other\n    rules:\n      - record: a:b\n        expr: vector(1)\n`);
    writeFileSync(join(dir, "more", "gpu.yaml"), "groups:\n  - name: gpu\n    rules:\n      - alert: Hot\n        expr: vector(1) > 0\n");
    writeFileSync(join(dir, "README.md"), "not a rule file");

    const dry = await cli(["sync", dir, "--dry-run"]);
    expect(dry.code, dry.err).toBe(0);
    const heads = (out: string) => out.split("\n").filter((l) => l && !l.startsWith("    ")).join("\n");
    expect(heads(dry.out)).toBe("+ gpu/gpu (would create)\n+ llm/llm (would create)\n+ llm/other (would create)\ndry run: 3 created, 0 updated, 0 deleted, 0 unchanged");
    expect(dry.out).toContain("+ gpu/gpu (would create)\n    + name: gpu\n    + rules:\n    +   - alert: Hot\n    +     expr: vector(1) > 0\n+ llm/llm");
    expect((await cli(["list"])).out).toMatch(/no rule groups/);

    const first = await cli(["sync", dir]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/3 created, 0 updated, 0 deleted, 0 unchanged/);
    const listed = await cli(["list"]);
    expect(listed.out).toMatch(/llm\s+llm\s+30s\s+1\s+1/);
    expect(listed.out).toMatch(/gpu\s+gpu\s+1m\s+1\s+0/);

    // A group dropped from a file is deleted; one changed is updated; the rest untouched.
    writeFileSync(join(dir, "llm.yml"), `groups:\n  - ${GROUP.replace("for: 5m", "for: 1m").trimEnd().split("\n").join("\n    ")}\n`);
    const plan = await cli(["sync", join(dir, "llm.yml"), "--dry-run"]);
    expect(heads(plan.out)).toBe("~ llm/llm (would update)\n- llm/other (would delete)\ndry run: 0 created, 1 updated, 1 deleted, 0 unchanged");
    expect(plan.out).toContain("    -     for: 5m\n    +     for: 1m\n");
    expect(plan.out).toContain("- llm/other (would delete)\n    - name: other\n");
    const second = await cli(["sync", join(dir, "llm.yml")]);
    expect(second.out).toBe("~ llm/llm updated\n- llm/other deleted\n0 created, 1 updated, 1 deleted, 0 unchanged\n");
    expect((await cli(["sync", dir])).out).toMatch(/0 created, 0 updated, 0 deleted, 2 unchanged/);

    writeFileSync(join(dir, "broken.yml"), "groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: rate(\n");
    const broken = await cli(["sync", dir]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/rule files have problems, nothing uploaded/);
    expect(broken.err).toMatch(/broken\.yml/);

    expect((await cli(["delete", "llm", "llm"])).out).toBe("rule group llm/llm deleted\n");
    expect((await cli(["delete", "gpu"])).out).toBe("namespace gpu deleted (1 group)\n");
    const gone = await cli(["delete", "gpu"]);
    expect(gone.code).toBe(2);
    expect(gone.err).toMatch(/404.*no rule groups in namespace "gpu"/);
  }, 240_000); // a dozen CLI processes (npx tsx) on a loaded machine
});
