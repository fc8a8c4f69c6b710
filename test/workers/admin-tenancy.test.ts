// The admin API and the `inferscope keys/tenants` commands, and tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const cli = (args: string[], key = stack.adminKey) => runCli(args, stack.url, key);

describe("tenants and keys from the CLI", () => {
  it("creates a tenant and keys, lists and revokes them", async () => {
    const name = `acme-${Date.now().toString(36)}`;
    expect((await cli(["tenants", "create", name])).out).toMatch(new RegExp(`tenant \\d+ ${name} created`));
    const dup = await cli(["tenants", "create", name]);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/exists already/);
    expect((await cli(["tenants", "list"])).out).toContain(name);

    const created = await cli(["keys", "create", "--tenant", name, "--scopes", "ingest,query", "--name", "agents", "--json"]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out) as { id: number; key: string; scopes: string[] };
    expect(key.scopes).toEqual(["ingest", "query"]);

    const listed = await cli(["keys", "list", "--tenant", name]);
    expect(listed.out).toContain("agents");
    expect(listed.out).not.toContain(key.key);

    // The new key works; revoked, it stops within the workers' key-cache TTL (a minute).
    const ok = await fetch(`${stack.url}/api/v1/labels`, { headers: { authorization: `Bearer ${key.key}` } });
    expect(ok.status).toBe(200);
    expect((await cli(["keys", "revoke", String(key.id)])).out).toMatch(/revoked/);
    expect((await cli(["keys", "revoke", String(key.id)])).err).toMatch(/no active key/);
  });

  it("refuses bad usage with a message", async () => {
    const r = await cli(["keys", "create", "--tenant", "x", "--scopes", "read"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--scopes takes a comma-separated list of ingest, query, admin \(not: read\)/);
    const noAdmin = await cli(["tenants", "list"], stack.key.replace(/.$/, "x"));
    expect(noAdmin.code).toBe(2);
    expect(noAdmin.err).toMatch(/401/);
  });

  it("a tenant's admin key manages only its own tenant", async () => {
    const other = await stack.tenantWithKey(`other-${Date.now().toString(36)}`, ["admin"]);
    const res = await fetch(`${stack.url}/admin/v1/tenants`, { method: "POST", headers: { authorization: `Bearer ${other.key}`, "content-type": "application/json" }, body: JSON.stringify({ name: "sneaky" }) });
    expect(res.status).toBe(403);
    const keys = (await (await fetch(`${stack.url}/admin/v1/keys`, { headers: { authorization: `Bearer ${other.key}` } })).json()) as { data: { tenantId: number }[] };
    expect(keys.data.every((k) => k.tenantId === other.tenantId)).toBe(true);
  });
});

describe("tenant isolation", () => {
  it("no query reaches another tenant's series", async () => {
    const a = await stack.tenantWithKey(`iso-a-${Date.now().toString(36)}`);
    const b = await stack.tenantWithKey(`iso-b-${Date.now().toString(36)}`);
    const res = await fetch(`${stack.url}/v1/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.key}`, "content-type": "application/json" },
      body: JSON.stringify({ series: [{ name: "secret_metric", labels: { team: "a" }, samples: [[Date.now() - 1000, 42]] }] }),
    });
    expect(res.status).toBe(202);
    const names = async (key: string) =>
      ((await (await fetch(`${stack.url}/api/v1/label/__name__/values`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: string[] }).data;
    await eventually(async () => (await names(a.key)).includes("secret_metric"), 15_000, "tenant a sees its metric");
    expect(await names(b.key)).not.toContain("secret_metric");
    const series = (await (await fetch(`${stack.url}/api/v1/labels`, { headers: { authorization: `Bearer ${b.key}` } })).json()) as { data: string[] };
    expect(series.data).not.toContain("team");
  });
});
