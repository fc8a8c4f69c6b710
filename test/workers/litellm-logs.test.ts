// POST /v1/logs/litellm on the local stack: what LiteLLM's generic_api callback
// posts (json_array, ndjson, single) lands in request_logs with the right
// columns; bad records are listed and the rest stored; auth is the usual one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { rawPost } from "../helpers/raw-post";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";
import { EXAMPLE_FAILURE, EXAMPLE_SUCCESS } from "../../workers/ingest/protocols/litellm/sample-payloads";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

type Answer = { status: number; body: { status: string; error?: string; accepted?: { records: number }; rejected?: { path: string; reason: string; id?: string }[] } };

async function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${stack.url}/v1/logs/litellm`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}`, ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

let n = 0;
/** A payload moved to now (the examples are dated 2026-01-01), with its own ids. */
function fresh<T extends { id: string; startTime: number; endTime: number; completionStartTime: number }>(p: T, extra: Record<string, unknown> = {}) {
  const shift = Math.floor(Date.now() / 1000) - 60 - Math.floor(p.startTime);
  const id = `${p.id}-${process.pid}-${n++}`;
  return { ...p, id, litellm_call_id: `call-${id}`, startTime: p.startTime + shift, endTime: p.endTime + shift, completionStartTime: p.completionStartTime + shift, ...extra };
}

type Row = {
  request_id: string; time_ms: string; end_time_ms: string | null; latency_ms: number | null; ttft_ms: number | null; status: string;
  http_status: number | null; model: string; requested_model: string; provider: string; deployment_id: string; stream: boolean | null;
  input_tokens: string | null; output_tokens: string | null; total_tokens: string | null; cost_usd: number | null; error_type: string | null;
  error_class: string | null; error_message: string | null; user_id: string; end_user: string; team: string; team_alias: string;
  api_key_alias: string; api_key_hash: string; tags: string[]; attributes: Record<string, unknown>;
};

async function rows(ids: string[]): Promise<Row[]> {
  const r = await stack.db.db.execute<Row>(sql`
    SELECT request_id, (extract(epoch FROM time) * 1000)::bigint::text AS time_ms, (extract(epoch FROM end_time) * 1000)::bigint::text AS end_time_ms,
      latency_ms, ttft_ms, status, http_status, model, requested_model, provider, deployment_id, stream, input_tokens::text, output_tokens::text,
      total_tokens::text, cost_usd, error_type, error_class, error_message, user_id, end_user, team, team_alias, api_key_alias, api_key_hash, tags, attributes
    FROM request_logs WHERE tenant_id = ${stack.tenantId} AND request_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  return ids.map((id) => r.rows.find((row) => row.request_id === id)).filter((row): row is Row => row !== undefined); // in the order asked
}
const stored = (ids: string[]) => eventually(async () => {
  const got = await rows(ids);
  return got.length === ids.length ? got : null;
}, 15_000, `${ids.length} rows in request_logs`);

describe("the three log_format bodies", () => {
  it("json_array: columns as LiteLLM meant them, unknown fields in attributes, no message bodies", async () => {
    const ok = fresh(EXAMPLE_SUCCESS, { some_future_field: { shiny: true } });
    const failed = fresh(EXAMPLE_FAILURE);
    const a = await post(JSON.stringify([ok, failed]));
    expect(a).toEqual({ status: 202, body: { status: "success", batchId: expect.any(String), accepted: { records: 2 } } });
    const [s, f] = await stored([ok.id, failed.id]);
    expect(s).toMatchObject({
      request_id: ok.id, time_ms: String(Math.round(ok.startTime * 1000)), end_time_ms: String(Math.round(ok.endTime * 1000)),
      latency_ms: 3777, ttft_ms: 486, status: "success", http_status: 200, model: "gpt-4o-mini", requested_model: "chat-default",
      provider: "openai", deployment_id: "cb41bc03f4c3", stream: true, input_tokens: "800", output_tokens: "490", total_tokens: "1290",
      cost_usd: 0.000412, error_type: null, user_id: "u-17", end_user: "cust-991", team: "team-42", team_alias: "search",
      api_key_alias: "svc-search", api_key_hash: "88dc28d0f030c55e", tags: ["prod"],
    });
    expect(s.attributes).toMatchObject({ some_future_field: { shiny: true }, litellm_call_id: ok.litellm_call_id, hidden_params: { litellm_overhead_time_ms: 7.3 }, messages_bytes: 32, response_bytes: 64 });
    expect(s.attributes).not.toHaveProperty("messages");
    expect(s.attributes).not.toHaveProperty("response");
    expect(f).toMatchObject({
      request_id: failed.id, status: "failure", http_status: 429, error_class: "RateLimitError", error_type: "rate_limit",
      error_message: EXAMPLE_FAILURE.error_information.error_message, ttft_ms: null, stream: null, latency_ms: 250, input_tokens: "0", cost_usd: 0,
    });
  });

  it("ndjson: newline-joined, no trailing newline, Content-Type application/json", async () => {
    const batch = [fresh(EXAMPLE_SUCCESS), fresh(EXAMPLE_FAILURE), fresh(EXAMPLE_SUCCESS, { stream: false })];
    const a = await post(batch.map((p) => JSON.stringify(p)).join("\n"));
    expect(a.status).toBe(202);
    expect(a.body.accepted).toEqual({ records: 3 });
    const got = await stored(batch.map((p) => p.id));
    expect(got.map((r) => [r.status, r.ttft_ms])).toEqual([["success", 486], ["failure", null], ["success", null]]);
  });

  it("single: one object per request", async () => {
    const one = fresh(EXAMPLE_SUCCESS);
    const a = await post(JSON.stringify(one));
    expect(a.status).toBe(202);
    expect(a.body.accepted).toEqual({ records: 1 });
    await stored([one.id]);
  });
});

describe("bad input", () => {
  it("a bad record among good ones: 400 naming it (index, id, field), the rest stored", async () => {
    const good1 = fresh(EXAMPLE_SUCCESS);
    const bad = fresh(EXAMPLE_SUCCESS, { startTime: undefined });
    const good2 = fresh(EXAMPLE_FAILURE);
    const a = await post(JSON.stringify([good1, bad, good2]));
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ error: "1 item(s) rejected; the valid rest of the batch was accepted", accepted: { records: 2 } });
    expect(a.body.rejected).toEqual([{ path: "[1].startTime", id: bad.id, reason: "startTime: required, float unix seconds (e.g. 1767225600.125)" }]);
    expect((await stored([good1.id, good2.id])).map((r) => r.request_id)).toEqual([good1.id, good2.id]);
    expect(await rows([bad.id])).toEqual([]);
  });

  it("415 for another content type, 400 for a body that is not JSON", async () => {
    const wrong = await post(JSON.stringify(fresh(EXAMPLE_SUCCESS)), { "content-type": "text/plain" });
    expect(wrong.status).toBe(415);
    expect(wrong.body.error).toMatch(/application\/json/);
    const notJson = await post("this is not json");
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^request body is not valid JSON or NDJSON/);
    const wrongShape = await post('"a string"');
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error).toMatch(/^request body is a JSON string; expected LiteLLM StandardLoggingPayload objects/);
  });

  it("413 over the body limit says what to change in LiteLLM", async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const answer = await rawPost(`${stack.url}/v1/logs/litellm`, { "content-type": "application/json", authorization: `Bearer ${stack.key}`, "content-length": big.length }, big);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error).toMatch(/larger than the limit of 8388608 bytes.*lower the callback's batch_size, or set litellm_settings\.turn_off_message_logging: true/);
  });

  it("401 without a key or with a wrong one, as every ingest route", async () => {
    const body = JSON.stringify(fresh(EXAMPLE_SUCCESS));
    const res = await fetch(`${stack.url}/v1/logs/litellm`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/missing API key: send 'Authorization: Bearer <key>'/);
    const wrong = await post(body, { authorization: "Bearer isk_not_a_key" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/invalid or revoked API key/);
  });
});
