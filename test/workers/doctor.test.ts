// `inferscope doctor` against the real local stack (workers in workerd, real
// Postgres, the query worker's cron): all ✓ and exit 0 when healthy, then each
// broken part named with exit 1: a wrong URL, an unknown and a revoked key, a
// key without the ingest scope, a cron that never ran or stopped, a schema
// behind the build, no partition ahead, a failing rule group, an aggregator
// that never gets the queue's messages, and on the agent side a real agent
// process with a target down, and the agent's real self server with its
// queue near full and sends failing.
//
// The file has a database of its own: it drops partitions, edits the
// migrations table and counts every tenant's rule groups.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, ensureTenant, revokeKey } from "../../shared/admin";
import { recordDeadLetter } from "../../shared/storage/postgres/dead-letters";
import journal from "../../migrations/meta/_journal.json";
import { runDoctor } from "../../cli/commands/doctor";
import { agentMetrics } from "../../cli/agent/self-metrics";
import { startSelfServer, type SelfServer } from "../../cli/agent/self-server";
import { freePort } from "../../scripts/lib/free-port";
import { AgentProcess } from "../agent/helpers/agent-process";
import { createOwnDatabase, type OwnDatabase } from "../helpers/own-database";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let own: OwnDatabase;
let stack: TestStack;

beforeAll(async () => {
  own = await createOwnDatabase("doctor");
  stack = await startTestStack({ databaseUrl: own.url });
});

afterAll(async () => {
  await stack?.close();
  await own?.drop();
});

async function doctor(args: string[], env: Record<string, string | undefined> = {}) {
  let out = "";
  const code = await runDoctor(args, { out: { write: (s: string) => (out += s) }, env });
  return { code, out };
}

const server = (...keys: string[]) => ["--url", stack.url, ...keys.flatMap((k) => ["--key", k])];
/** The line of a check, by its name. */
const line = (out: string, name: string) => out.split("\n").find((l) => l.slice(2).startsWith(`${name}:`)) ?? `(no line for ${name} in:\n${out})`;
const failed = (out: string) => out.split("\n").filter((l) => l.startsWith("✗"));
const q = (text: string) => stack.db.db.execute(sql.raw(text));
/** What this revision's migrations are (the lead may renumber the one this file's change added). */
const MIGRATIONS = journal.entries.length;
const LAST = journal.entries.at(-1)!.tag;
const BEFORE_LAST = journal.entries.at(-2)!.tag;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "");

describe("a healthy stack", () => {
  it("names a cron that never ran, then passes every check once it ran", async () => {
    const before = await doctor(server(stack.key));
    expect(before.code, before.out).toBe(1);
    expect(line(before.out, "cron")).toMatch(/^✗ cron: the cron never ran/);
    expect(before.out).toContain("fix: the query worker's cron trigger runs it every minute");

    await stack.runCron();
    const r = await doctor(server(stack.key));
    expect(failed(r.out), r.out).toEqual([]);
    expect(r.code, r.out).toBe(0);
    for (const name of ["url", "worker ingest", "worker aggregator", "worker query", "schema", "cron", "partitions", "rules", "dead letters", "round trip metrics", "round trip logs"])
      expect(line(r.out, name), r.out).toMatch(/^✓ /);
    expect(line(r.out, `key ${stack.key.slice(0, 10)}…`)).toMatch(/^✓ key isk_.{6}…: tenant t\S+ \(id \d+\), scopes ingest, query, admin$/);
    expect(line(r.out, "schema")).toBe(`✓ schema: ${MIGRATIONS} migrations applied, last ${LAST} (as this build expects)`);
    expect(line(r.out, "partitions")).toMatch(/retention 30 days; partitions for today and 1 day\(s\) ahead/);
    expect(r.out).not.toContain(stack.key); // the secret is never printed
    expect(r.out).toMatch(/all checks passed/);

    const j = await doctor([...server(stack.key), "--json"]);
    const parsed = JSON.parse(j.out) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.checks.every((c) => c.status === "ok")).toBe(true);
    expect(parsed.checks.map((c) => c.name)).toContain("round trip logs");
  });

  it("takes the key from INFERSCOPE_API_KEY and the URL from INFERSCOPE_URL", async () => {
    const r = await doctor([], { INFERSCOPE_URL: stack.url, INFERSCOPE_API_KEY: stack.key });
    expect(r.code, r.out).toBe(0);
  });
});

describe("each broken part, named", () => {
  it("a wrong URL", async () => {
    const port = await freePort();
    const r = await doctor(["--url", `http://127.0.0.1:${port}`, "--key", stack.key]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^✗ url: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`, "m"));
    expect(r.out).toContain("fix: check --url / INFERSCOPE_URL");
  });

  it("a URL that is not Inferscope", async () => {
    const other: Server = createServer((_, res) => res.end("<html>grafana</html>"));
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    try {
      const r = await doctor(["--url", `http://127.0.0.1:${(other.address() as AddressInfo).port}`, "--key", stack.key]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^✗ url: .*without Inferscope's health JSON/m);
    } finally {
      other.close();
    }
  });

  it("a /healthz of one worker (production routes it to the query worker)", async () => {
    const one: Server = createServer((_, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok","worker":"query"}'));
    await new Promise<void>((r) => one.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(one.address() as AddressInfo).port}`;
      const r = await doctor(["--url", url, "--key", stack.key, "--timeout", "1"]);
      expect(line(r.out, "url")).toBe(`✓ url: ${url} answers (worker query; ingest and the aggregator are checked by the round trip)`);
      expect(r.code).toBe(1); // the rest is not there
    } finally {
      one.close();
    }
  });

  it("an unknown and a revoked key", async () => {
    const revoked = await createKey(stack.db.db, { tenantId: stack.tenantId, scopes: ["ingest", "query"] });
    expect(await revokeKey(stack.db.db, revoked.id)).toBe(true);
    const r = await doctor(server(stack.key, "isk_notakeyatall", revoked.key));
    expect(r.code).toBe(1);
    expect(line(r.out, "key isk_notake…")).toBe("✗ key isk_notake…: invalid or revoked API key");
    expect(line(r.out, `key ${revoked.key.slice(0, 10)}…`)).toMatch(/^✗ .*invalid or revoked API key/);
    // The good key still drives the other checks.
    expect(line(r.out, "round trip metrics")).toMatch(/^✓/);
  });

  it("a key without the ingest scope (and no admin key)", async () => {
    const t = await ensureTenant(stack.db.db, `qonly${Date.now().toString(36)}`);
    const k = await createKey(stack.db.db, { tenantId: t.id, scopes: ["query"] });
    const r = await doctor(server(k.key));
    expect(r.code).toBe(1);
    expect(line(r.out, `key ${k.key.slice(0, 10)}…`)).toBe(`✓ key ${k.key.slice(0, 10)}…: tenant ${t.name} (id ${t.id}), scopes query`);
    expect(line(r.out, "round trip")).toBe("✗ round trip: not run: no key with the ingest scope was given");
    expect(r.out).toMatch(/^! schema, cron, partitions, rules, dead letters: not checked: no key with the admin scope was given/m);
  });

  it("a cron that stopped", async () => {
    await q(`UPDATE cron_runs SET finished_at = now() - interval '1 hour'`);
    const r = await doctor(server(stack.key));
    expect(r.code).toBe(1);
    expect(line(r.out, "cron")).toMatch(/^✗ cron: last finished run 60 min ago .*it runs every minute/);
    expect(failed(r.out)).toHaveLength(1);
    await stack.runCron();
    expect((await doctor(server(stack.key))).code).toBe(0);
  });

  it("a schema behind the build", async () => {
    const last = (await q(`DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations) RETURNING hash, created_at`)).rows[0] as { hash: string; created_at: string };
    try {
      const r = await doctor(server(stack.key));
      expect(r.code).toBe(1);
      expect(line(r.out, "schema")).toBe(`✗ schema: the database has ${MIGRATIONS - 1} of the ${MIGRATIONS} migrations this build expects (last applied ${BEFORE_LAST}, expected up to ${LAST})`);
      expect(r.out).toContain("fix: apply them: DATABASE_URL=… npm run db:migrate");
    } finally {
      await q(`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('${last.hash}', ${last.created_at})`);
    }
  });

  it("no partition ahead of today", async () => {
    const tomorrow = Date.now() + 86_400_000;
    await q(`DROP TABLE samples_p${ymd(tomorrow)}; DROP TABLE request_logs_p${ymd(tomorrow)}`);
    try {
      const r = await doctor(server(stack.key));
      expect(r.code).toBe(1);
      expect(line(r.out, "partitions")).toBe("✗ partitions: samples: today's partition exists, 0 day(s) ahead; request_logs: today's partition exists, 0 day(s) ahead");
      expect(failed(r.out)).toHaveLength(1);
    } finally {
      await q(`SELECT inferscope_ensure_day_partitions(ARRAY[${Math.floor(tomorrow / 86_400_000)}]::integer[])`);
    }
  });

  it("a rule group whose rule fails", async () => {
    // Before the slot the cron evaluates (the minute it runs in), so that the rule sees both series.
    const now = Date.now() - 90_000;
    const ingest = await fetch(`${stack.url}/v1/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/json" },
      body: JSON.stringify({ series: [{ name: "rt_dup", labels: { a: "1" }, samples: [[now, 1]] }, { name: "rt_dup", labels: { a: "2" }, samples: [[now, 2]] }] }),
    });
    expect(ingest.status).toBe(202);
    await eventually(async () => {
      const res = await fetch(`${stack.url}/api/v1/query?query=count(rt_dup)&time=${Date.now() / 1000}`, { headers: { authorization: `Bearer ${stack.key}` } });
      return ((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1] === "2";
    }, 15_000, "rt_dup stored");
    const post = await fetch(`${stack.url}/admin/v1/rules/broken`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.key}` },
      body: "name: dup\ninterval: 1m\nrules:\n  - record: rt:dup\n    expr: rt_dup * on() rt_dup\n",
    });
    expect(post.status, await post.clone().text()).toBe(202);
    await stack.runCron();
    const r = await doctor(server(stack.key));
    expect(r.code).toBe(1);
    expect(line(r.out, "rules")).toMatch(/^✗ rules: 1 of 1 rule group\(s\) failing: broken\/dup: .*(many-to-many|duplicate)/);
    expect(r.out).toContain("inferscope rules sync");
    const del = await fetch(`${stack.url}/admin/v1/rules/broken`, { method: "DELETE", headers: { authorization: `Bearer ${stack.key}` } });
    expect(del.status).toBe(202);
    expect(line((await doctor(server(stack.key))).out, "rules")).toBe("✓ rules: no rule groups loaded");
  });
});

describe("what the server tells doctor, and to whom", () => {
  const get = async (path: string, key?: string) => {
    const res = await fetch(`${stack.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };

  it("GET /auth/v1/key: the caller's own key only; 401 without a valid one", async () => {
    expect(await get("/auth/v1/key")).toEqual({ status: 401, body: { status: "error", error: "missing API key: send 'Authorization: Bearer <key>'" } });
    expect((await get("/auth/v1/key", "isk_nope")).status).toBe(401);
    expect((await get("/auth/v1/key", stack.adminKey)).body.data).toEqual({ bootstrap: true, keyId: null, tenant: null, scopes: ["admin"] });
    const me = (await get("/auth/v1/key", stack.key)).body.data;
    expect(me).toEqual({ bootstrap: false, keyId: expect.any(Number), tenant: { id: stack.tenantId, name: expect.any(String) }, scopes: ["ingest", "query", "admin"] });
  });

  it("GET /admin/v1/status: admin scope only; a tenant's admin key sees its own rule groups and dead letters, the bootstrap key every tenant's", async () => {
    const other = await stack.tenantWithKey(`other${Date.now().toString(36)}`, ["ingest", "query", "admin"]);
    const ingestOnly = await stack.tenantWithKey(`ingest${Date.now().toString(36)}`, ["ingest"]);
    expect(await get("/admin/v1/status", ingestOnly.key)).toEqual({ status: 403, body: { status: "error", error: "this API key lacks the 'admin' scope (it has: ingest)" } });
    const post = await fetch(`${stack.url}/admin/v1/rules/theirs`, { method: "POST", headers: { authorization: `Bearer ${other.key}` }, body: "name: g\nrules:\n  - record: x:one\n    expr: vector(1)\n" });
    expect(post.status).toBe(202);
    const before = (await get("/admin/v1/status", other.key)).body.data.rules;
    expect(before).toMatchObject({ groups: 1, overdue: 0, lastEvaluation: null }); // just loaded: not overdue
    await stack.runCron();
    await recordDeadLetter(stack.db.db, { tenantId: other.tenantId, batchId: "b-doctor", part: 0, kind: "metrics", items: 3, reason: "value out of range" });

    const mine = (await get("/admin/v1/status", stack.key)).body.data;
    expect(mine.scope).toEqual({ tenantId: stack.tenantId });
    expect(mine.rules.groups).toBe(0);
    expect(mine.deadLetters.lastDay.items).toBe(0);
    const theirs = (await get("/admin/v1/status", other.key)).body.data;
    expect(theirs.rules).toMatchObject({ groups: 1, rules: 1, failing: [], overdue: 0 });
    expect(Date.now() - Date.parse(theirs.rules.lastEvaluation)).toBeLessThan(120_000);
    expect(theirs.deadLetters.lastDay).toMatchObject({ parts: 1, items: 3, lastReason: "value out of range" });
    const all = (await get("/admin/v1/status", stack.adminKey)).body.data;
    expect(all.scope).toBe("all tenants");
    expect(all.schema).toMatchObject({ applied: MIGRATIONS, expected: MIGRATIONS, lastApplied: LAST, lastExpected: LAST });
    expect(all.rules.groups).toBe(1);

    // The bootstrap key drives doctor too; dead letters are a warning, not a failure.
    const r = await doctor(server(stack.adminKey, stack.key));
    expect(r.code, r.out).toBe(0);
    expect(line(r.out, "dead letters")).toBe("! dead letters: 3 item(s) in 1 part(s) dead-lettered in the last day; last reason: value out of range");
    expect(r.out).toMatch(/all checks passed \(1 warning\(s\)\)/);
    await fetch(`${stack.url}/admin/v1/rules/theirs`, { method: "DELETE", headers: { authorization: `Bearer ${other.key}` } });
  });
});

describe("an aggregator that never gets the queue's messages", () => {
  let stuck: TestStack;
  beforeAll(async () => {
    // The queue waits a minute (Miniflare's most) to fill a batch of 100: the marker is accepted and not delivered within the doctor's timeout.
    stuck = await startTestStack({ databaseUrl: own.url, queueBatchTimeout: 60 });
  });
  afterAll(async () => stuck?.close());

  it("names the round trip, with everything else fine", async () => {
    await stuck.runCron();
    const r = await doctor(["--url", stuck.url, "--key", stuck.key, "--timeout", "4"]);
    expect(r.code, r.out).toBe(1);
    expect(line(r.out, "round trip metrics")).toMatch(/^✗ round trip metrics: ingest accepted the marker sample doctor-\S+ but \/api\/v1\/query did not return it within 4 s/);
    expect(line(r.out, "round trip logs")).toMatch(/^✗ round trip logs: ingest accepted the marker request log doctor-\S+ but \/api\/v1\/requests\/doctor-\S+ did not return it within 4 s/);
    expect(r.out).toContain("fix: the queue → aggregator → Postgres path is not writing");
    expect(failed(r.out)).toHaveLength(2);
  });
});

describe("the agent", () => {
  it("a real agent process: the target that is down is named, the one up passes", async () => {
    const exporter: Server = createServer((_, res) => res.end("# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 3\n"));
    await new Promise<void>((r) => exporter.listen(0, "127.0.0.1", r));
    const upAt = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    const downAt = `127.0.0.1:${await freePort()}`;
    const selfPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "doctor-agent-"));
    const config = join(dir, "agent.yaml");
    writeFileSync(
      config,
      `data_dir: ${join(dir, "data")}\nendpoint:\n  url: ${stack.url}\n  api_key: ${stack.key}\nself:\n  listen: 127.0.0.1:${selfPort}\ndefaults:\n  interval: 1s\n  timeout: 500ms\nscrape:\n  - job: vllm\n    targets: ["${upAt}", "${downAt}"]\n`,
    );
    const agent = new AgentProcess(config);
    agent.start();
    try {
      await agent.waitForLog("agent started");
      const base = `http://127.0.0.1:${selfPort}`;
      const r = await eventually(async () => {
        const d = await doctor(["--agent", base]);
        return d.out.includes(`agent target vllm/${downAt}`) && d.out.includes(`agent target vllm/${upAt}`) && d.out.includes("✓ agent sends") ? d : null;
      }, 20_000, "both targets collected and a batch sent");
      expect(r.code, r.out).toBe(1);
      expect(line(r.out, "agent")).toBe(`✓ agent: ${base} healthy`);
      expect(line(r.out, `agent target vllm/${upAt}`)).toMatch(/^✓ agent target vllm\/\S+: up, last collection \d+ s ago, took \d+\.\d{3} s$/);
      expect(line(r.out, `agent target vllm/${downAt}`)).toMatch(/^✗ agent target vllm\/\S+: down at its last collection \d+ s ago/);
      expect(r.out).toContain(`is the exporter running and listening there? try \`curl ${downAt}\``);
      expect(line(r.out, "agent queue")).toMatch(/^✓ agent queue: \d+ metric and \d+ log batch\(es\) queued, [\d.]+ MiB of 512\.0 MiB/);
      // Only the agent was asked for: no server lines.
      expect(r.out).not.toMatch(/^. url:/m);
      expect(failed(r.out)).toHaveLength(1);
    } finally {
      await agent.kill("SIGTERM");
      exporter.close();
    }
  });

  describe("its self server with the queue near full and sends failing", () => {
    let self: SelfServer;
    beforeAll(async () => {
      const m = agentMetrics();
      m.targetUp.set({ job: "dcgm", instance: "127.0.0.1:9400" }, 1);
      m.lastScrape.set({ job: "dcgm", instance: "127.0.0.1:9400" }, Date.now() / 1000 - 3);
      m.sendErrors.inc({ kind: "metrics", reason: "http_503" }, 7);
      m.registry.gaugeFunc("inferscope_agent_queue_batches", "", () => [{ labels: { kind: "metrics" }, value: 950 }, { labels: { kind: "logs" }, value: 3 }]);
      m.registry.gaugeFunc("inferscope_agent_queue_bytes", "", () => [{ labels: {}, value: 486 * 1048576 }]);
      m.registry.gaugeFunc("inferscope_agent_queue_max_bytes", "", () => [{ labels: {}, value: 512 * 1048576 }]);
      const okAt = new Date(Date.now() - 600_000).toISOString();
      const errAt = new Date(Date.now() - 2_000).toISOString();
      self = await startSelfServer("127.0.0.1", 0, { health: () => ({ ok: true, body: { status: "ok", last_send_ok: okAt, last_send_error: errAt } }), metrics: () => m.registry.render() });
    });
    afterAll(async () => self?.close());

    it("names the queue and the sends", async () => {
      const r = await doctor(["--agent", `http://127.0.0.1:${self.port}`, "--json"]);
      expect(r.code).toBe(1);
      const checks = (JSON.parse(r.out) as { checks: { name: string; status: string; detail: string; fix?: string }[] }).checks;
      const by = (n: string) => checks.find((c) => c.name === n)!;
      expect(by("agent queue")).toMatchObject({ status: "fail", detail: "near full: 950 metric and 3 log batch(es) queued, 486.0 MiB of 512.0 MiB (95%)" });
      expect(by("agent sends").status).toBe("fail");
      expect(by("agent sends").detail).toMatch(/^failing: last error \d s ago, last success 600 s ago \(errors: http_503: 7\)$/);
      expect(by("agent target dcgm/127.0.0.1:9400")).toMatchObject({ status: "ok" });
    });
  });

  it("metrics that are not Prometheus text: the line that broke them, read by the agent's own parser", async () => {
    const fake: Server = createServer((req, res) => {
      if (req.url === "/healthz") res.setHeader("content-type", "application/json").end(JSON.stringify({ status: "ok" }));
      else res.end("# TYPE inferscope_agent_queue_bytes gauge\ninferscope_agent_queue_bytes 12\ninferscope_agent_target_up{job=\"vllm\" 1\n");
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    try {
      const base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const r = await doctor(["--agent", base]);
      expect(r.code).toBe(1);
      expect(line(r.out, "agent")).toBe(`✓ agent: ${base} healthy`);
      expect(line(r.out, "agent metrics")).toMatch(new RegExp(`^✗ agent metrics: ${base.replace(/\./g, "\\.")}/metrics is not Prometheus text \\(line 3: .+\\)$`));
      expect(r.out).toContain(`curl ${base}/metrics`);
    } finally {
      fake.close();
    }
  });

  it("an agent that does not answer", async () => {
    const port = await freePort();
    const r = await doctor(["--agent", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✗ agent: no answer at http:\/\/127\.0\.0\.1:\d+\/healthz: ECONNREFUSED\n    fix: is the agent running\? `systemctl status inferscope-agent`/m);
  });
});

describe("usage", () => {
  it("refuses bad flags with a precise message", async () => {
    await expect(doctor(["--timeout", "soon"])).rejects.toThrow('--timeout takes a number of seconds > 0 (not "soon")');
    await expect(doctor(["--agent", "127.0.0.1:9465"])).rejects.toThrow('--agent takes an http(s) URL such as http://127.0.0.1:9465 (not "127.0.0.1:9465")');
    await expect(doctor(["--bogus"])).rejects.toThrow(/Unknown option '--bogus' \(see --help\)/);
  });

  it("fails without a key", async () => {
    const r = await doctor(["--url", stack.url]);
    expect(r.code).toBe(1);
    expect(line(r.out, "keys")).toMatch(/^✗ keys: no API key given/);
  });
});
