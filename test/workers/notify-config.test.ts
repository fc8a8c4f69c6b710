// The notifier config through the admin API (query worker in workerd, real
// Postgres) and `inferscope notifiers get|set`: JSON and YAML, defaults, every
// refusal a precise 400, tenancy.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { notifiersCommand } from "../../cli/commands/notifiers";
import { startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const put = (body: string, contentType: string, key = stack.key, query = "") =>
  fetch(`${stack.url}/admin/v1/notifiers${query}`, { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": contentType }, body });
const get = (key = stack.key, headers: Record<string, string> = {}, query = "") =>
  fetch(`${stack.url}/admin/v1/notifiers${query}`, { headers: { authorization: `Bearer ${key}`, ...headers } });

const FULL_DEFAULTS = { group_by: ["alertname"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h", send_resolved: true, max_alerts: 0 };

describe("GET|PUT /admin/v1/notifiers", () => {
  it("starts empty, takes JSON with defaults filled in, and answers it as JSON or YAML", async () => {
    const { key } = await stack.tenantWithKey(`notifiers-${Date.now().toString(36)}`, ["admin"]);
    const empty = (await (await get(key)).json()) as { data: { config: unknown; updated_at: string | null } };
    expect(empty.data).toMatchObject({ config: { alertmanagers: [], receivers: [] }, updated_at: null });

    const config = {
      alertmanagers: [{ url: "https://am.example.com", bearer_token: "t0k" }],
      receivers: [{ name: "oncall", type: "webhook", url: "https://hooks.example.com/x" }, { name: "chat", type: "slack", url: "https://hooks.slack.com/services/T/B/X", group_by: ["..."], send_resolved: false }],
    };
    const res = await put(JSON.stringify(config), "application/json", key);
    expect(res.status).toBe(200);
    const expected = {
      alertmanagers: [{ url: "https://am.example.com", bearer_token: "t0k", timeout: "10s" }],
      receivers: [{ ...FULL_DEFAULTS, ...config.receivers[0] }, { ...FULL_DEFAULTS, ...config.receivers[1] }],
    };
    expect(((await res.json()) as { data: { config: unknown } }).data.config).toEqual(expected);
    const back = (await (await get(key)).json()) as { data: { config: unknown; updated_at: string } };
    expect(back.data.config).toEqual(expected);
    expect(Date.parse(back.data.updated_at)).toBeGreaterThan(Date.now() - 60_000);
    const yaml = await get(key, { accept: "application/yaml" });
    expect(yaml.headers.get("content-type")).toMatch(/yaml/);
    expect(parseYaml(await yaml.text())).toEqual(expected);
  });

  it("takes YAML, and replaces the whole config", async () => {
    const { key } = await stack.tenantWithKey(`notifiers-yaml-${Date.now().toString(36)}`, ["admin"]);
    const yaml = `alertmanagers:\n  - url: http://127.0.0.1:9093\n    basic_auth: {username: am, password: pw}\n    timeout: 3s\n`;
    const res = await put(yaml, "application/yaml", key);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { config: unknown } }).data.config).toEqual({
      alertmanagers: [{ url: "http://127.0.0.1:9093", basic_auth: { username: "am", password: "pw" }, timeout: "3s" }],
      receivers: [],
    });
    expect((await put("receivers: []\n", "text/yaml", key)).status).toBe(200);
    expect(((await (await get(key)).json()) as { data: { config: unknown } }).data.config).toEqual({ alertmanagers: [], receivers: [] });
  });

  const hook = (extra: Record<string, unknown>) => JSON.stringify({ receivers: [{ name: "r", type: "webhook", url: "https://h.example.com", ...extra }] });
  const am = (extra: Record<string, unknown>) => JSON.stringify({ alertmanagers: [{ url: "https://am.example.com", ...extra }] });
  const refusals: [string, string, string, RegExp][] = [
    ["a receiver type we do not have", hook({ type: "email" }), "application/json", /^receivers\[0\]\.type: type must be "webhook" or "slack"$/],
    ["a URL that is not http(s)", hook({ url: "ftp://h.example.com" }), "application/json", /^receivers\[0\]\.url: URL scheme must be http or https \(not ftp\)$/],
    ["text that is not a URL", am({ url: "am:9093" }), "application/json", /^alertmanagers\[0\]\.url: URL scheme must be http or https \(not am\)$/],
    ["a relative URL", am({ url: "/api" }), "application/json", /^alertmanagers\[0\]\.url: "\/api" is not a URL; give an absolute http:\/\/ or https:\/\/ URL$/],
    ["a bad duration", hook({ group_wait: "soon" }), "application/json", /^receivers\[0\]\.group_wait: "soon" is not a duration such as 30s, 5m or 4h$/],
    ["a zero group_interval", hook({ group_interval: "0s" }), "application/json", /^receivers\[0\]\.group_interval: must be at least 1s \(not 0s\)$/],
    ["a timeout over a minute", am({ timeout: "2m" }), "application/json", /^alertmanagers\[0\]\.timeout: must be at most 60s \(not 2m\)$/],
    ["both credentials", am({ bearer_token: "x", basic_auth: { username: "u", password: "p" } }), "application/json", /^alertmanagers\[0\]: give bearer_token or basic_auth, not both$/],
    ["a misspelt key", JSON.stringify({ recievers: [] }), "application/json", /^config: Unrecognized key: "recievers"$/],
    ["an unknown receiver field", hook({ matchers: ["a=b"] }), "application/json", /^receivers\[0\]: Unrecognized key: "matchers"$/],
    ["\"...\" with other labels", hook({ group_by: ["...", "job"] }), "application/json", /^receivers\[0\]\.group_by: group_by \["\.\.\."\] groups by all labels and takes no other label$/],
    ["a bad label name", hook({ group_by: ["alertname", "bad-label"] }), "application/json", /^receivers\[0\]\.group_by\[1\]: "bad-label" is not a label name$/],
    ["a negative max_alerts", hook({ max_alerts: -1 }), "application/json", /^receivers\[0\]\.max_alerts: max_alerts must not be negative$/],
    ["two receivers of one name", JSON.stringify({ receivers: [{ name: "r", type: "slack", url: "https://a.example.com" }, { name: "r", type: "webhook", url: "https://b.example.com" }] }), "application/json", /^receivers\[1\]\.name: receiver name "r" is used twice$/],
    ["broken JSON", '{"receivers": [', "application/json", /^body: not JSON/],
    ["broken YAML", "receivers: [\n  - name: x\n", "application/yaml", /^body: not YAML/],
    ["an empty body", "  \n", "application/yaml", /^body: empty; send the config as JSON or YAML/],
    ["a YAML scalar", "hello", "application/yaml", /^config: /],
  ];
  it.each(refusals)("refuses %s with a 400 that says what is wrong", async (_what, body, contentType, message) => {
    const res = await put(body, contentType);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it("reports every problem at once, and keeps the config it had", async () => {
    const { key } = await stack.tenantWithKey(`notifiers-keep-${Date.now().toString(36)}`, ["admin"]);
    expect((await put(hook({}), "application/json", key)).status).toBe(200);
    const res = await put(JSON.stringify({ alertmanagers: [{ url: "x" }], receivers: [{ name: "", type: "slack", url: "https://h" }] }), "application/json", key);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain("alertmanagers[0].url:");
    expect(error).toContain("receivers[0].name: receiver name: 1-64 characters");
    expect(((await (await get(key)).json()) as { data: { config: { receivers: { name: string }[] } } }).data.config.receivers.map((r) => r.name)).toEqual(["r"]);
  });

  it("refuses a config over 256 KiB with 413, reading no more of it than the limit", async () => {
    const { key } = await stack.tenantWithKey(`notifiers-big-${Date.now().toString(36)}`, ["admin"]);
    const res = await put(`# ${"x".repeat(300 * 1024)}\nreceivers: []\n`, "application/yaml", key);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe("config is larger than 256 KiB");
  });

  it("is admin-only, and a tenant's admin key reaches only its own tenant", async () => {
    const query = await stack.tenantWithKey(`notifiers-q-${Date.now().toString(36)}`, ["query"]);
    expect((await get(query.key)).status).toBe(403);
    const other = await stack.tenantWithKey(`notifiers-o-${Date.now().toString(36)}`, ["admin"]);
    const res = await put(hook({}), "application/json", other.key, `?tenant=${stack.tenantId}`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/only manage its own tenant/);
    // The bootstrap key names the tenant.
    expect((await get(stack.adminKey)).status).toBe(400);
    expect((await get(stack.adminKey, {}, `?tenant=${other.tenantId}`)).status).toBe(200);
  });
});

describe("inferscope notifiers", () => {
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    try {
      return { code: await notifiersCommand([...args, "--url", stack.url, "--key", stack.adminKey]), out };
    } finally {
      spy.mockRestore();
    }
  }

  it("sets the config from a YAML file and gets it back as YAML", async () => {
    const t = await stack.tenantWithKey(`notifiers-cli-${Date.now().toString(36)}`, ["admin"]);
    const dir = mkdtempSync(join(tmpdir(), "notifiers-"));
    const file = join(dir, "notifiers.yml");
    writeFileSync(file, "alertmanagers:\n  - url: http://127.0.0.1:9093\nreceivers:\n  - name: oncall\n    type: slack\n    url: https://hooks.slack.com/services/T/B/X\n    group_wait: 10s\n");
    const set = await cli(["set", file, "--tenant", String(t.tenantId)]);
    expect(set).toEqual({ code: 0, out: `notifiers of tenant ${t.tenantId} set: 1 alertmanager(s), 1 receiver(s)\n` });
    const got = await cli(["get", "--tenant", String(t.tenantId)]);
    expect(got.code).toBe(0);
    expect(parseYaml(got.out)).toEqual({
      alertmanagers: [{ url: "http://127.0.0.1:9093", timeout: "10s" }],
      receivers: [{ ...FULL_DEFAULTS, name: "oncall", type: "slack", url: "https://hooks.slack.com/services/T/B/X", group_wait: "10s" }],
    });

    writeFileSync(file, "receivers:\n  - name: oncall\n    type: pager\n    url: https://x.example.com\n");
    await expect(cli(["set", file, "--tenant", String(t.tenantId)])).rejects.toThrow(/PUT \/admin\/v1\/notifiers\?tenant=\d+: HTTP 400: receivers\[0\]\.type: type must be "webhook" or "slack"/);
    await expect(cli(["set", join(dir, "missing.yml")])).rejects.toThrow(/cannot read .*missing\.yml/);
    await expect(cli(["frobnicate"])).rejects.toThrow(/unknown notifiers subcommand "frobnicate"/);
  });
});
