// A 2xx never loses data: every value Postgres cannot store (U+0000, lone
// surrogates, non-finite numbers, nesting past the limit) is refused in the
// 400 list with its path and field, the valid companion of the same request is
// stored, and what can be made storable (token counts past 2^31) is stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../cli/agent/remote-write/encode";
import { MAX_ATTRIBUTES_DEPTH } from "../../shared/limits";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { notSelfSeries } from "../support/self-series";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

type Answer = { status: number; body: { error: string; rejected?: { path: string; reason: string }[]; accepted?: Record<string, number> } };

async function postText(path: string, text: string): Promise<Answer> {
  const res = await fetch(`${stack.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}` }, body: text });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

const t = () => Date.now() - 1000;
const companionsSeries: string[] = [];
const companionsLogs: string[] = [];
let n = 0;

/** A series or record of the case, written as raw JSON text so escapes like \u0000 and \udc00 reach the server as sent. */
function metricsCase(hostile: string): { text: string; companion: string } {
  const companion = `companion_series_${n++}`;
  companionsSeries.push(companion);
  return { text: `{"series":[${hostile},{"name":"${companion}","samples":[[${t()},1]]}]}`, companion };
}
function logsCase(hostile: string): { text: string; companion: string } {
  const companion = `companion-log-${n++}`;
  companionsLogs.push(companion);
  return { text: `{"logs":[${hostile},{"request_id":"${companion}","time":${t()}}]}`, companion };
}

const NUL = /contains the NUL character \(U\+0000\), which cannot be stored/;
const SURROGATE = /contains a lone UTF-16 surrogate/;

describe("/v1/metrics: unstorable text is refused, the companion stored", () => {
  it.each<[string, string, string, RegExp]>([
    ["NUL in a label value", `{"name":"nul_label","labels":{"a":"x\\u0000y"},"samples":[[T,1]]}`, "series[0].labels.a", NUL],
    ["a lone surrogate in a label value", `{"name":"sur_label","labels":{"a":"x\\udc00"},"samples":[[T,1]]}`, "series[0].labels.a", SURROGATE],
    ["NUL in the metric name", `{"name":"nul\\u0000name","samples":[[T,1]]}`, "series[0]", /invalid metric name/],
    ["NUL in HELP", `{"name":"nul_help","help":"a\\u0000b","samples":[[T,1]]}`, "series[0]", /^help contains the NUL character/],
    ["NUL in UNIT", `{"name":"nul_unit","unit":"s\\u0000","samples":[[T,1]]}`, "series[0]", /^unit contains the NUL character/],
    ["a lone surrogate in HELP", `{"name":"sur_help","help":"\\ud800","samples":[[T,1]]}`, "series[0]", /^help contains a lone UTF-16 surrogate/],
  ])("%s", async (_name, hostile, path, reason) => {
    const c = metricsCase(hostile.replace(/T/g, String(t())));
    const a = await postText("/v1/metrics", c.text);
    expect(a.status).toBe(400);
    expect(a.body.rejected).toHaveLength(1);
    expect(a.body.rejected![0].path).toBe(path);
    expect(a.body.rejected![0].reason).toMatch(reason);
    expect(a.body.accepted).toEqual({ series: 1, samples: 1 });
  });
});

describe("remote_write: unstorable text is refused, the companion stored", () => {
  it("NUL in a label value and in HELP", async () => {
    const companion = `companion_series_${n++}`;
    companionsSeries.push(companion);
    const body = encodeWriteRequest({
      timeseries: [
        { labels: [{ name: "__name__", value: "rw_nul" }, { name: "a", value: "x\u0000y" }], samples: [{ timestamp: t(), value: 1 }] },
        { labels: [{ name: "__name__", value: companion }], samples: [{ timestamp: t(), value: 1 }] },
      ],
      metadata: [{ type: "counter", metricFamilyName: "rw_nul_help", help: "a\u0000b", unit: "" }],
    });
    const res = await fetch(`${stack.url}/api/v1/write`, { method: "POST", headers: { authorization: `Bearer ${stack.key}`, ...REMOTE_WRITE_HEADERS }, body: body as unknown as BodyInit });
    expect(res.status).toBe(400);
    const a = (await res.json()) as Answer["body"];
    expect(a.rejected!.map((r) => r.path)).toEqual(["timeseries[0].labels.a", "metadata[0]"]);
    expect(a.rejected![0].reason).toMatch(/^rw_nul\{a="x\\u0000y"\}: value of label "a" contains the NUL character/);
    expect(a.rejected![1].reason).toMatch(/^rw_nul_help: help contains the NUL character/);
  });
});

describe("/v1/logs: unstorable values are refused, the companion stored", () => {
  const rec = (fields: string) => `{"request_id":"hostile","time":T${fields}}`;
  it.each<[string, string, string, RegExp]>([
    ["NUL in request_id", `{"request_id":"a\\u0000","time":T}`, "logs[0].request_id", NUL],
    ["NUL in model", rec(`,"model":"m\\u0000"`), "logs[0].model", NUL],
    ["NUL in provider", rec(`,"provider":"\\u0000"`), "logs[0].provider", NUL],
    ["NUL in error_type", rec(`,"error_type":"\\u0000"`), "logs[0].error_type", NUL],
    ["NUL in error_message", rec(`,"error_message":"boom\\u0000"`), "logs[0].error_message", NUL],
    ["a lone surrogate in request_id", `{"request_id":"\\udc00","time":T}`, "logs[0].request_id", SURROGATE],
    ["NUL in an attribute value", rec(`,"attributes":{"user":{"name":"a\\u0000"}}`), "logs[0].attributes.user.name", /^value contains the NUL character/],
    ["NUL in an attribute key", rec(`,"attributes":{"a\\u0000b":1}`), 'logs[0].attributes["a\\u0000b"]', /^key contains the NUL character/],
    ["a lone surrogate in an attribute value", rec(`,"attributes":{"tags":["ok","\\udc00"]}`), "logs[0].attributes.tags[1]", /^value contains a lone UTF-16 surrogate/],
    ["a lone surrogate in an attribute key", rec(`,"attributes":{"\\ud800":1}`), 'logs[0].attributes["\\ud800"]', /^key contains a lone UTF-16 surrogate/],
    ["1e309 in attributes", rec(`,"attributes":{"big":1e309}`), "logs[0].attributes.big", /out of the range of a 64-bit float \(e\.g\. 1e309\); send it as a string/],
    ["attributes 5,000 levels deep", rec(`,"attributes":{"x":${"[".repeat(5000)}1${"]".repeat(5000)}}`), `logs[0].attributes.x${"[0]".repeat(MAX_ATTRIBUTES_DEPTH - 1)}`, new RegExp(`attributes nest deeper than ${MAX_ATTRIBUTES_DEPTH} levels`)],
    ["time 1.5", `{"request_id":"frac","time":1.5}`, "logs[0]", /^time: time must be unix milliseconds \(an integer\)/],
    ["time 1e309", `{"request_id":"huge","time":1e309}`, "logs[0]", /^time: number is out of the range of a 64-bit float/],
    ["a duplicate key", rec(`,"model":"a","model":"b"`), "logs[0].model", /duplicate key/],
  ])("%s", async (_name, hostile, path, reason) => {
    const c = logsCase(hostile.replace(/T/g, String(t())));
    const a = await postText("/v1/logs", c.text);
    expect(a.status).toBe(400);
    expect(a.body.rejected).toHaveLength(1);
    expect(a.body.rejected![0].path).toBe(path);
    expect(a.body.rejected![0].reason).toMatch(reason);
    expect(a.body.accepted).toEqual({ records: 1 });
  });

  it(`accepts attributes exactly ${MAX_ATTRIBUTES_DEPTH} levels deep`, async () => {
    const c = logsCase(`{"request_id":"deep-ok-${n}","time":${t()},"attributes":{"x":${"[".repeat(MAX_ATTRIBUTES_DEPTH - 1)}1${"]".repeat(MAX_ATTRIBUTES_DEPTH - 1)}}}`);
    companionsLogs.push(`deep-ok-${n - 1}`);
    const a = await postText("/v1/logs", c.text);
    expect(a.status).toBe(202);
  });

  it("stores token counts past 2^31, up to 2^53 - 1", async () => {
    const c = logsCase(`{"request_id":"tokens-big","time":${t()},"input_tokens":3000000000,"output_tokens":9007199254740991}`);
    expect((await postText("/v1/logs", c.text)).status).toBe(202);
    const row = await eventually(async () => {
      const r = await stack.db.db.execute<{ i: string; o: string }>(sql`
        SELECT input_tokens::text AS i, output_tokens::text AS o FROM request_logs WHERE tenant_id = ${stack.tenantId} AND request_id = 'tokens-big'`);
      return r.rows[0];
    }, 15_000, "the big token counts");
    expect(row).toEqual({ i: "3000000000", o: "9007199254740991" });
  });
});

describe("every companion", () => {
  it("is stored", async () => {
    const series = async () =>
      (await stack.db.db.execute<{ name: string }>(sql`
        SELECT DISTINCT s.metric_name AS name FROM samples x JOIN series s ON s.id = x.series_id WHERE s.tenant_id = ${stack.tenantId} AND ${notSelfSeries()}`)).rows.map((r) => r.name);
    const logs = async () =>
      (await stack.db.db.execute<{ id: string }>(sql`SELECT request_id AS id FROM request_logs WHERE tenant_id = ${stack.tenantId}`)).rows.map((r) => r.id);
    await eventually(async () => (await series()).filter((s) => companionsSeries.includes(s)).length === companionsSeries.length, 20_000, "the series companions");
    await eventually(async () => (await logs()).filter((s) => companionsLogs.includes(s)).length === companionsLogs.length, 20_000, "the log companions");
    // Nothing hostile was stored.
    expect((await series()).filter((s) => !companionsSeries.includes(s))).toEqual([]);
    expect((await logs()).filter((s) => !companionsLogs.includes(s) && s !== "tokens-big")).toEqual([]);
  });
});
