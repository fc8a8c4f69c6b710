// The request-log API over logs that went through the whole pipeline (POST
// /v1/logs, queue, aggregator, Postgres): search with every filter against
// the same filter worked out here, pagination across equal timestamps, the
// record view, detail by id with its traces, error groups, tenant isolation,
// and every parameter refused by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErrorGroupsData, RequestDetailData, RequestLogView, RequestSearchData } from "../../shared/contracts/log-api";
import { errorFingerprint } from "../../shared/logs/errors";
import { eventually, startTestStack, type TestStack } from "../helpers/stack";

let stack: TestStack;
let other: { tenantId: number; key: string };
const B = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const OLD = B - 28 * 3_600_000; // outside the default 24 h

type Wire = Record<string, unknown> & { request_id: string; time: number };
const base = { model: "gpt-4o", provider: "openai", status: "success", latency_ms: 800, user: "alice", team: "t-1", team_alias: "search", project: "chat", environment: "prod" };
const W = (request_id: string, dt: number, extra: Record<string, unknown> = {}): Wire => ({ request_id, time: B + dt, ...base, ...extra });
const fail = (cls: string, http: number, msg: string) => ({ status: "failure", http_status: http, error_class: cls, error_message: msg });

const RECORDS: Wire[] = [
  W("s-01", 1_000, { latency_ms: 100, tags: ["app:chat", "tier:paid"], input_tokens: 512, output_tokens: 128, cost_usd: 0.0012, ttft_ms: 40, stream: true, attributes: { region: "eu" } }),
  W("s-02", 2_000, { model: "llama3", provider: "vllm", latency_ms: 2500, user: "bob", team: "t-2", team_alias: "", project: "rag", environment: "staging", tags: ["app:api"] }),
  W("s-03", 3_000, { model: "mistral", provider: "mistral", latency_ms: 9000, user: "carol", team: "t-3", team_alias: "ads" }),
  W("f-01", 4_000, fail("RateLimitError", 429, "Rate limit reached for org-x8Yq2LmNab3K: used 29500 of 30000 tokens")),
  W("f-02", 5_000, { ...fail("RateLimitError", 429, "Rate limit reached for org-Qp7zRt2wVb9c: used 29998 of 30000 tokens"), user: "bob" }),
  W("f-03", 6_000, { ...fail("InternalServerError", 500, "CUDA out of memory. Tried to allocate 512 MiB"), model: "llama3", provider: "vllm", latency_ms: 50 }),
  W("f-04", 7_000, { ...fail("InternalServerError", 503, "CUDA out of memory. Tried to allocate 2048 MiB"), model: "llama3", provider: "vllm", status: "error" }),
  W("f-05", 8_000, { ...fail("APIError", 500, "disk 100_% full"), model: "mistral", provider: "mistral" }),
  W("f-06", 9_000, { ...fail("APIError", 500, "disk 1000 full"), model: "mistral", provider: "mistral" }),
  // Equal times, stored in an order that is not the id order.
  ...Array.from({ length: 25 }, (_, i) => W(`eq-${String(((i * 7) % 25) + 1).padStart(2, "0")}`, 50_000, { model: "batch-model", provider: "vllm" })),
  W("t-a", 60_000, { trace_id: "tr-1" }),
  W("t-b", 61_000, { trace_id: "tr-1", model: "llama3" }),
  W("t-c", 59_000, { trace_id: "tr-1" }),
  W("dup", 70_000),
  W("dup", 80_000, { trace_id: "tr-2" }),
  W("t-d", 75_000, { trace_id: "tr-2" }),
  W("odd/id with space", 90_000),
  { ...W("old-1", 0), time: OLD },
];
/** The other tenant: the same ids and trace ids, a model and a message of its own. */
const OTHER: Wire[] = [
  W("s-01", 1_000, { model: "secret" }),
  W("f-01", 4_000, { ...fail("RateLimitError", 429, "Rate limit reached for org-zzzzzzzz9999: used 1 of 30000 tokens"), model: "secret" }),
  W("t-x", 60_500, { trace_id: "tr-1", model: "secret" }),
];

async function post(key: string, logs: Wire[]) {
  const res = await fetch(`${stack.url}/v1/logs`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ logs }) });
  expect(res.status).toBe(202);
}

async function get<T>(path: string, key = stack.key) {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as { status: string; data: T; errorType?: string; error?: string } };
}
const search = (q: string, key?: string) => get<RequestSearchData>(`/api/v1/requests?${q}`, key);
const wide = `start=${(OLD - 1000) / 1000}`;
const ids = (rs: RequestLogView[]) => rs.map((r) => r.request_id);

// What the API must answer, worked out from the wire records: newest first, then request id descending.
const failed = (w: Wire) => w.status === "failure" || w.status === "error";
const inDefault = (w: Wire) => w.time >= Date.now() - 24 * 3_600_000;
function expected(pred: (w: Wire) => boolean, pool = RECORDS.filter(inDefault)): string[] {
  return pool.filter(pred).sort((a, b) => b.time - a.time || (a.request_id < b.request_id ? 1 : a.request_id > b.request_id ? -1 : 0)).map((w) => w.request_id);
}

beforeAll(async () => {
  stack = await startTestStack();
  other = await stack.tenantWithKey(`search-other-${Date.now()}`);
  await post(stack.key, RECORDS);
  await post(other.key, OTHER);
  await eventually(async () => (await search(`${wide}&limit=1000`)).body.data.records.length === RECORDS.length, 20_000, "main tenant's logs stored");
  await eventually(async () => (await search(`${wide}&limit=1000`, other.key)).body.data.records.length === OTHER.length, 20_000, "other tenant's logs stored");
});
afterAll(async () => {
  await stack?.close();
});

describe("GET /api/v1/requests", () => {
  it("by default: the last 24 h, newest first, limit 100", async () => {
    const r = await search("");
    expect(r.status).toBe(200);
    expect(ids(r.body.data.records)).toEqual(expected(() => true));
    expect(r.body.data.next_cursor).toBeNull();
    expect(ids((await search(wide)).body.data.records)).toEqual(expected(() => true, RECORDS));
  });

  it("every filter matches what it says, repeated values are any of, different filters all hold", async () => {
    const cases: Array<[string, (w: Wire) => boolean]> = [
      ["model=llama3", (w) => w.model === "llama3"],
      ["model=llama3&model=mistral", (w) => w.model === "llama3" || w.model === "mistral"],
      ["provider=vllm", (w) => w.provider === "vllm"],
      ["status=success", (w) => !failed(w)],
      ["status=failure", failed],
      ["status=error", failed],
      ["status=success&status=failure", () => true],
      ["user=bob", (w) => w.user === "bob"],
      ["user=bob&user=carol", (w) => w.user === "bob" || w.user === "carol"],
      ["team=t-1", (w) => w.team === "t-1"],
      ["team=search", (w) => w.team_alias === "search"],
      ["team=ads&team=t-2", (w) => w.team === "t-3" || w.team === "t-2"],
      ["project=rag", (w) => w.project === "rag"],
      ["environment=staging", (w) => w.environment === "staging"],
      ["tag=tier:paid", (w) => ((w.tags as string[] | undefined) ?? []).includes("tier:paid")],
      ["tag=app:api&tag=app:chat", (w) => ((w.tags as string[] | undefined) ?? []).some((t) => t === "app:api" || t === "app:chat")],
      ["q=cuda OUT of memory", (w) => /cuda out of memory/i.test(String(w.error_message ?? ""))],
      // Literal: % and _ are not wildcards ("disk 1000 full" would match the pattern 100_%).
      ["q=100_%25", (w) => String(w.error_message ?? "").includes("100_%")],
      ["q=org-x8Yq&q=512 MiB", (w) => /org-x8Yq|512 MiB/.test(String(w.error_message ?? ""))],
      ["q=nothing like this", () => false],
      ["min_latency_ms=2500", (w) => Number(w.latency_ms) >= 2500],
      ["min_latency_ms=2500.5", (w) => Number(w.latency_ms) >= 2500.5],
      [`fingerprint=${encodeURIComponent(errorFingerprint("InternalServerError", "CUDA out of memory. Tried to allocate 1 MiB", 500))}`, (w) => /CUDA/.test(String(w.error_message ?? ""))],
      ["model=gpt-4o&status=failure&user=bob", (w) => w.model === "gpt-4o" && failed(w) && w.user === "bob"],
      ["model=llama3&min_latency_ms=100", (w) => w.model === "llama3" && Number(w.latency_ms) >= 100],
    ];
    for (const [q, pred] of cases) {
      const r = await search(q);
      expect(r.status, q).toBe(200);
      expect(ids(r.body.data.records), q).toEqual(expected(pred));
    }
  });

  it("a time range in RFC 3339 or unix seconds, both ends inclusive", async () => {
    const a = await search(`start=${new Date(B + 2_000).toISOString()}&end=${new Date(B + 5_000).toISOString()}`);
    expect(ids(a.body.data.records)).toEqual(["f-02", "f-01", "s-03", "s-02"]);
    const b = await search(`start=${(B + 2_000) / 1000}&end=${(B + 5_000) / 1000}`);
    expect(b.body.data).toEqual(a.body.data);
    expect(ids((await search(`start=${OLD / 1000}&end=${OLD / 1000}`)).body.data.records)).toEqual(["old-1"]);
  });

  it("pages newest first across equal timestamps without gaps or repeats", async () => {
    for (const [q, size] of [["model=batch-model", 7], [wide, 4], ["", 1]] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: { status: number; body: { data: RequestSearchData } } = await search(`${q}&limit=${size}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(r.status).toBe(200);
        expect(r.body.data.records.length).toBeLessThanOrEqual(size);
        seen.push(...ids(r.body.data.records));
        cursor = r.body.data.next_cursor;
        pages++;
      } while (cursor && pages < 200);
      const all = q === wide ? expected(() => true, RECORDS) : q === "" ? expected(() => true) : expected((w) => w.model === "batch-model");
      expect(seen, q).toEqual(all);
      expect(pages).toBe(Math.max(1, Math.ceil(all.length / size)));
    }
  });

  it("a cursor keeps the range of the search that made it", async () => {
    const first = await search(`${wide}&limit=${RECORDS.length - 1}`);
    const rest = await search(`limit=10&cursor=${first.body.data.next_cursor}`);
    expect(ids(rest.body.data.records)).toEqual(["old-1"]);
    expect(rest.body.data.next_cursor).toBeNull();
  });

  it("shows a record with every field", async () => {
    const [s] = (await search("tag=tier:paid")).body.data.records;
    expect(s).toMatchObject({
      request_id: "s-01", trace_id: null, time: new Date(B + 1_000).toISOString(), end_time: null, latency_ms: 100, ttft_ms: 40,
      model: "gpt-4o", requested_model: "", provider: "openai", stream: true, status: "success", http_status: null, error_type: null,
      error_message: null, error_fingerprint: null, input_tokens: 512, output_tokens: 128, total_tokens: 640, cost_usd: 0.0012, cost_source: "reported",
      user: "alice", team: "t-1", team_alias: "search", project: "chat", environment: "prod", tags: ["app:chat", "tier:paid"], attributes: { region: "eu" },
    });
    expect(Date.parse(s.received_at)).toBeGreaterThan(B);
    const [f] = (await search("q=org-Qp7z")).body.data.records;
    expect(f).toMatchObject({ request_id: "f-02", status: "failure", http_status: 429, error_type: "rate_limit", error_class: "RateLimitError", error_fingerprint: errorFingerprint("RateLimitError", "Rate limit reached for org-Qp7zRt2wVb9c: used 29998 of 30000 tokens", 429) });
  });

  it("refuses bad parameters by name", async () => {
    const cases: Array<[string, RegExp]> = [
      ["cursor=garbage!", /"cursor": not a cursor/],
      [`cursor=${Buffer.from('["x","y"]').toString("base64url")}`, /"cursor": not a cursor/],
      [`cursor=${Buffer.from("[1,2,3]").toString("base64url")}`, /"cursor"/],
      ["cursor=", /"cursor"/],
      ["limit=0", /"limit".*1 to 1000/],
      ["limit=1001", /"limit"/],
      ["limit=ten", /"limit"/],
      ["status=maybe", /"status".*"maybe"/],
      ["min_latency_ms=-5", /"min_latency_ms"/],
      ["min_latency_ms=5s", /"min_latency_ms"/],
      ["model=", /"model": empty value/],
      ["start=yesterday", /"start"/],
      [`start=${B / 1000}&end=${B / 1000 - 1}`, /before start/],
      ["modle=gpt-4o", /unknown parameter "modle"/],
      [`q=${"x".repeat(1001)}`, /"q"/],
    ];
    for (const [q, re] of cases) {
      const r = await search(q);
      expect(r.status, q).toBe(400);
      expect(r.body.errorType, q).toBe("bad_data");
      expect(r.body.error, q).toMatch(re);
    }
  });

  it("never shows another tenant's records", async () => {
    expect((await search(`${wide}&model=secret`)).body.data.records).toEqual([]);
    expect((await search("q=org-zzzz")).body.data.records).toEqual([]);
    expect(ids((await search("", other.key)).body.data.records)).toEqual(["t-x", "f-01", "s-01"]);
    const [mine] = (await search("q=org-x8Yq")).body.data.records;
    expect(mine.model).toBe("gpt-4o");
  });
});

describe("GET /api/v1/requests/<id>", () => {
  const detail = (id: string, key?: string) => get<RequestDetailData>(`/api/v1/requests/${encodeURIComponent(id)}`, key);

  it("the id's records and every record of its traces, oldest first", async () => {
    const a = (await detail("t-a")).body.data;
    expect(a.request_id).toBe("t-a");
    expect(ids(a.records)).toEqual(["t-a"]);
    expect(ids(a.trace)).toEqual(["t-c", "t-a", "t-b"]);
    expect(a.trace_truncated).toBe(false);
    // One id stored twice (a retry at another time); only the second has a trace.
    const d = (await detail("dup")).body.data;
    expect(d.records.map((r) => r.time)).toEqual([new Date(B + 70_000).toISOString(), new Date(B + 80_000).toISOString()]);
    expect(ids(d.trace)).toEqual(["t-d", "dup"]);
    const s = (await detail("s-01")).body.data;
    expect([ids(s.records), s.trace]).toEqual([["s-01"], []]);
    expect(ids((await detail("odd/id with space")).body.data.records)).toEqual(["odd/id with space"]);
    expect(ids((await detail("old-1")).body.data.records)).toEqual(["old-1"]);
  });

  it("never another tenant's records, and 404 for an id that has none", async () => {
    const a = (await detail("t-a")).body.data;
    expect(a.trace.map((r) => r.model)).not.toContain("secret");
    expect((await detail("s-01", other.key)).body.data.records.map((r) => r.model)).toEqual(["secret"]);
    const n = await detail("no-such-request");
    expect(n.status).toBe(404);
    expect(n.body).toEqual({ status: "error", errorType: "not_found", error: expect.stringContaining('"no-such-request"') });
    expect((await detail("t-d", other.key)).status).toBe(404);
    const p = await get(`/api/v1/requests/t-a?verbose=1`);
    expect([p.status, p.body.error]).toEqual([400, expect.stringMatching(/unknown parameter "verbose"/)]);
  });
});

describe("GET /api/v1/requests/errors", () => {
  const errors = (q: string, key?: string) => get<ErrorGroupsData>(`/api/v1/requests/errors?${q}`, key);

  it("groups failures whose messages differ only in ids and numbers, largest first", async () => {
    const r = await errors("");
    expect(r.status).toBe(200);
    const g = r.body.data.groups;
    expect(g.map((x) => x.count)).toEqual([2, 2, 1, 1]);
    const rate = g.find((x) => x.error_class === "RateLimitError")!;
    expect(rate).toEqual({
      fingerprint: "RateLimitError: Rate limit reached for org-<id>: used <n> of <n> tokens",
      error_type: "rate_limit",
      error_class: "RateLimitError",
      count: 2,
      first_seen: new Date(B + 4_000).toISOString(),
      last_seen: new Date(B + 5_000).toISOString(),
      example_request_id: "f-02",
      example_message: "Rate limit reached for org-Qp7zRt2wVb9c: used 29998 of 30000 tokens",
      models: ["gpt-4o"],
      providers: ["openai"],
      http_statuses: [429],
    });
    const cuda = g.find((x) => x.error_class === "InternalServerError")!;
    expect([cuda.count, cuda.example_request_id, cuda.models, cuda.http_statuses]).toEqual([2, "f-04", ["llama3"], [500, 503]]);
    // "disk 100_% full" and "disk 1000 full" are different errors.
    expect(g.filter((x) => x.error_class === "APIError").map((x) => x.example_request_id).sort()).toEqual(["f-05", "f-06"]);
  });

  it("takes the search filters, a range and a limit; refuses status", async () => {
    expect((await errors("model=llama3")).body.data.groups.map((x) => x.example_request_id)).toEqual(["f-04"]);
    expect((await errors("user=bob&provider=openai")).body.data.groups.map((x) => [x.count, x.example_request_id])).toEqual([[1, "f-02"]]);
    expect((await errors("q=cuda")).body.data.groups.map((x) => x.count)).toEqual([2]);
    expect((await errors("limit=1")).body.data.groups.length).toBe(1);
    expect((await errors(`start=${(B + 4_500) / 1000}&end=${(B + 6_000) / 1000}`)).body.data.groups.map((x) => x.example_request_id).sort()).toEqual(["f-02", "f-03"]);
    expect((await errors(`start=${OLD / 1000}&end=${(OLD + 1) / 1000}`)).body.data.groups).toEqual([]);
    const s = await errors("status=failure");
    expect([s.status, s.body.error]).toEqual([400, expect.stringMatching(/failures only.*"status"/)]);
  });

  it("never counts another tenant's failures", async () => {
    const mine = (await errors("")).body.data.groups.find((x) => x.error_class === "RateLimitError")!;
    expect(mine.models).toEqual(["gpt-4o"]);
    const theirs = (await errors("", other.key)).body.data.groups;
    expect(theirs.map((x) => [x.count, x.models])).toEqual([[1, ["secret"]]]);
  });
});
