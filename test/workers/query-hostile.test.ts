// Hostile query input through the real stack (issue 11, probe D4, D6, D10, D11):
// each case answers with the status and errorType Prometheus 2.42 gives (read
// off a real 2.42 on loopback), fast, never a 5xx, and the stack stays healthy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { withoutSelfLabels } from "../support/self-series";

let stack: TestStack;
const NOW = Math.floor((Date.now() - 600_000) / 60_000) * 60_000;

type Body = { status: string; data?: any; errorType?: string; error?: string };

async function get(path: string, key = stack.key, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Body };
}
const q = (expr: string, extra = "") => `/api/v1/query?query=${encodeURIComponent(expr)}&time=${NOW / 1000}${extra}`;

async function write(key: string, series: unknown[]) {
  const res = await fetch(`${stack.url}/v1/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ series }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  stack = await startTestStack();
  await write(stack.key, [
    { name: "hostile", labels: { v: "a" }, samples: Array.from({ length: 20 }, (_, i) => [NOW - 300_000 + i * 15_000, i]), help: "hostile probe" },
  ]);
  await eventually(async () => (await get(q("hostile"))).body.data?.result?.length === 1, 20_000, "hostile stored");
});
afterAll(async () => {
  await stack?.close();
});

describe("NUL in matcher values (Prometheus: 200; a NUL value matches no stored value)", () => {
  it.each([
    ['hostile{v="\\x00"}', 0],
    ['hostile{v="a\\u0000b"}', 0],
    ['hostile{v!="\\u0000"}', 1],
    ['hostile{v=~"a|\\x00"}', 1],
    ['hostile{v!~"\\x00"}', 1],
  ])("/query %s -> 200 with %i series", async (expr, n) => {
    const r = await get(q(expr));
    expect(r.status).toBe(200);
    expect(r.body.data.result).toHaveLength(n);
  });

  it("/series, /labels, /label/v/values and /metadata?metric=x%00y answer 200", async () => {
    const m = encodeURIComponent('hostile{v="\x00"}');
    expect((await get(`/api/v1/series?match[]=${m}`)).body).toEqual({ status: "success", data: [] });
    expect((await get(`/api/v1/series?match[]=${encodeURIComponent('hostile{v!="\x00"}')}`)).body.data).toHaveLength(1);
    expect((await get(`/api/v1/labels?match[]=${m}`)).body).toEqual({ status: "success", data: [] });
    expect((await get(`/api/v1/label/v/values?match[]=${m}`)).body).toEqual({ status: "success", data: [] });
    expect((await get(`/api/v1/metadata?metric=x%00y`)).body).toEqual({ status: "success", data: {} });
  });
});

describe("times, durations and limits as Prometheus 2.42 reads them", () => {
  const one = (extra: string) => `/api/v1/query?query=1${extra}`;
  it.each([
    [one("&time=-1e20"), 200, [0, "1"]],
    [one("&time=1e20"), 200, [0, "1"]],
    [one("&time=NaN"), 200, [-9223372036.854, "1"]],
    [one("&time=-Inf"), 200, [-9223372036.854, "1"]],
    [one("&time=1e17"), 200, [-2537764290.115, "1"]],
    [one("&time=0x1p3"), 200, [8, "1"]],
  ])("%s -> %i", async (path, status, result) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(r.body.data.result).toEqual(result);
  });

  it("answers range queries at out-of-range times", async () => {
    const r = await get(`/api/v1/query_range?query=1&start=1e308&end=1e308&step=1`);
    expect(r.status).toBe(200);
    expect(r.body.data.result).toEqual([{ metric: {}, values: [[0, "1"]] }]);
    expect((await get(`/api/v1/query_range?query=1&start=-Inf&end=Inf&step=1`)).status).toBe(200);
    expect((await get(`/api/v1/query_range?query=hostile&start=-1e20&end=1e20&step=1e9`)).status).toBe(200);
  });

  it.each([
    [`/api/v1/query_range?query=1&start=0&end=10&step=1e308`, 'invalid parameter "step": cannot parse "1e308" to a valid duration. It overflows int64'],
    [`/api/v1/query_range?query=1&start=0&end=10&step=99999999999999999999y`, 'invalid parameter "step": cannot parse "99999999999999999999y" to a valid duration'],
    [`/api/v1/query?query=1&timeout=99999999999999999999y`, 'invalid parameter "timeout": cannot parse "99999999999999999999y" to a valid duration'],
    [`/api/v1/query_range?query=1&start=0&end=100&step=30s1m`, 'invalid parameter "step": cannot parse "30s1m" to a valid duration'],
    [`/api/v1/query_range?query=1&start=0&end=100&step=NaN`, 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer'],
    [`/api/v1/query_range?query=1&start=5&end=4&step=1`, 'invalid parameter "end": end timestamp must not be before start time'],
    [`/api/v1/query?query=1&time=%201`, `invalid parameter "time": Invalid time value for 'time': cannot parse " 1" to a valid timestamp`],
    [`/api/v1/query?query=1&time=1e400`, `invalid parameter "time": Invalid time value for 'time': cannot parse "1e400" to a valid timestamp`],
    [q("hostile[99999999999999999999y]"), "1:9: parse error: duration out of range"],
    [q("hostile offset 300y"), "1:16: parse error: duration out of range"],
    [q("topk(1e400, hostile)"), '1:6: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range'],
    [`/api/v1/metadata?limit=abc`, "limit must be a number"],
  ])("%s -> 400 bad_data", async (path, error) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(r.body.errorType).toBe("bad_data");
    expect(r.body.error).toBe(error);
  });

  it("timeout=NaN is a deadline already passed: 503 timeout", async () => {
    const r = await get(`/api/v1/query?query=1&timeout=NaN`);
    expect(r.status).toBe(503);
    expect(r.body.errorType).toBe("timeout");
  });

  it("limits and reversed ranges as 2.42: metadata limit -1 is none, 0 is empty; bad label limits are ignored; end < start lists the swapped range's names and values, /series nothing", async () => {
    expect((await get(`/api/v1/metadata?limit=-1`)).body.data.hostile).toBeDefined();
    expect((await get(`/api/v1/metadata?limit=0`)).body).toEqual({ status: "success", data: {} });
    const labels = await get(`/api/v1/labels?limit=abc`);
    expect(labels.status).toBe(200);
    expect(withoutSelfLabels(labels.body.data)).toEqual(["__name__", "v"]);
    expect(withoutSelfLabels((await get(`/api/v1/labels?limit=99999999999999999999`)).body.data)).toEqual(["__name__", "v"]);
    const values = await get(`/api/v1/label/v/values?start=${NOW / 1000}&end=${NOW / 1000 - 3600}`);
    const forward = await get(`/api/v1/label/v/values?start=${NOW / 1000 - 3600}&end=${NOW / 1000}`);
    expect(forward.body.data.length).toBeGreaterThan(0);
    expect(values.body).toEqual(forward.body);
    expect((await get(`/api/v1/label/v/values?start=10&end=5`)).body).toEqual({ status: "success", data: [] });
    expect((await get(`/api/v1/series?match[]=hostile&start=10&end=5`)).body).toEqual({ status: "success", data: [] });
  });
});

describe("bounded queries and nesting", () => {
  it("answers the freezing subqueries fast and stays healthy", async () => {
    for (const expr of ["rate(hostile[1y:1ms])", "rate(hostile[1d:1ms])", "max_over_time((hostile * 1)[1y:1ms])", "sum_over_time(vector(1)[1y:1ms])"]) {
      const t0 = Date.now();
      const r = await get(q(expr));
      expect([200, 422], expr).toContain(r.status);
      if (r.status === 422) expect(r.body.errorType).toBe("execution");
      expect(Date.now() - t0, expr).toBeLessThan(5000);
    }
    expect((await get(q("(hostile * 1)[1y:1ms]"))).body.error).toMatch(/evaluation steps/);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });

  it("evaluates 1,000-deep expressions as Prometheus does, and names the limit past it", async () => {
    const post = (expr: string) =>
      fetch(`${stack.url}/api/v1/query`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.key}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query: expr, time: String(NOW / 1000) }).toString(),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Body }));
    const chain = await post(Array(1000).fill("1").join(" + "));
    expect(chain.body.data).toEqual({ resultType: "scalar", result: [NOW / 1000, "1000"] });
    for (const expr of ["(".repeat(1000) + "1" + ")".repeat(1000), "abs(".repeat(1000) + "hostile" + ")".repeat(1000), "sum(".repeat(1000) + "hostile" + ")".repeat(1000), "-".repeat(1000) + "hostile"]) {
      expect((await post(expr)).status, expr.slice(0, 12)).toBe(200);
    }
    const deep = await post(Array(50_000).fill("1").join(" + "));
    expect(deep.status).toBe(400);
    expect(deep.body.errorType).toBe("bad_data");
    expect(deep.body.error).toMatch(/expression nests too deeply: more than 1000 levels/);
  });
});

describe("internal errors", () => {
  it("say 'internal error' with the request id, never the SQL", async () => {
    // A tenant whose one series has labels Postgres cannot list (a JSON string,
    // not an object): jsonb_object_keys fails inside the /labels SQL of a match[]
    // (without one, /labels reads the label index and never these labels).
    const broken = await stack.tenantWithKey(`broken-${Date.now().toString(36)}`);
    await write(broken.key, [{ name: "broken_probe", labels: { x: "y" }, samples: [[NOW, 1]] }]);
    await eventually(async () => (await get(`/api/v1/series?match[]=broken_probe`, broken.key)).body.data?.length === 1, 20_000, "broken stored");
    await stack.db.db.execute(sql`UPDATE series SET labels = '"scalar"'::jsonb WHERE tenant_id = ${broken.tenantId}`);
    const r = await get(`/api/v1/labels?match[]=broken_probe`, broken.key, { "cf-ray": "8f00c0ffee-AMS" });
    expect(r.status).toBe(500);
    expect(r.body.errorType).toBe("internal");
    expect(r.body.error).toBe("internal error (request id 8f00c0ffee-AMS)");
    expect(r.headers.get("x-request-id")).toBe("8f00c0ffee-AMS");
    const other = await get(`/api/v1/labels?match[]=broken_probe`, broken.key);
    const id = other.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.body.error).toBe(`internal error (request id ${id})`);
    expect(JSON.stringify(other.body)).not.toMatch(/select|failed query|params|jsonb/i);
  });
});
