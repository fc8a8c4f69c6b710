// Reproducers D2, D3, D7 and D12 (ingest) of the reliability probe: a gzip
// bomb, values Postgres cannot store, deep attributes, weak messages and
// duplicate keys in /v1/logs. Every hostile item is sent with a valid
// companion in the same request: the companion must always become readable,
// and the hostile item is either refused in the 400 list (named by its path)
// or accepted and then readable exactly as sent; never a 2xx that loses it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../cli/agent/remote-write/encode";
import { startTestStack, type TestStack } from "../helpers/stack";
import { deflateBomb, gzipBomb } from "../fuzz/lib/bombs";
import { resetWorkerdPeaks, workerdPeakKiB, workerdRssKiB } from "../fuzz/lib/guarded-stack";
import { healthProblems } from "../fuzz/lib/health";
import { call, show, sqlLeak, type Answer } from "../fuzz/lib/http";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const auth = () => ({ authorization: `Bearer ${stack.key}` });
const postJson = (path: string, text: string, headers: Record<string, string> = {}) =>
  call(`${stack.url}${path}`, { headers: { ...auth(), "content-type": "application/json", ...headers }, body: text, timeoutMs: 10_000 });
const postRw = (body: Uint8Array) => call(`${stack.url}/api/v1/write`, { headers: { ...auth(), ...REMOTE_WRITE_HEADERS }, body, timeoutMs: 10_000 });

/** A base time per test run; each case gets its own millisecond so its rows can be found without its (possibly NUL) id. */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 120_000;

async function seriesLabels(name: string): Promise<Record<string, string>[] | undefined> {
  const r = await call(`${stack.url}/api/v1/series?match[]=${encodeURIComponent(name)}&start=${(BASE - 3_600_000) / 1000}`, { headers: auth() });
  return r.status === 200 && r.json.data.length ? r.json.data : undefined;
}
async function metadataOf(name: string): Promise<{ help: string; unit: string } | undefined> {
  const r = await call(`${stack.url}/api/v1/metadata?metric=${encodeURIComponent(name)}`, { headers: auth() });
  return r.json?.data?.[name]?.[0];
}
type LogRow = {
  request_id: string;
  model: string;
  provider: string;
  error_type: string | null;
  error_message: string | null;
  input_tokens: string | null;
  output_tokens: string | null;
  attributes: string;
};
async function logAt(ms: number): Promise<LogRow | undefined> {
  const { rows } = await stack.db.db.execute<LogRow>(sql`
    SELECT request_id, model, provider, error_type, error_message, input_tokens::text, output_tokens::text, attributes::text
    FROM request_logs WHERE tenant_id = ${stack.tenantId} AND time = ${new Date(ms).toISOString()}::timestamptz`);
  return rows[0];
}

interface StorageCase {
  what: string;
  send(): Promise<Answer>;
  /** The hostile item's path in the 400 list. */
  hostilePath: RegExp;
  companionPath: RegExp;
  companionReadable(): Promise<boolean>;
  /** What of the hostile item is stored: undefined when nothing is. */
  readHostile(): Promise<unknown>;
  /** The hostile item as sent, as it must read back if it was accepted. */
  expected: unknown;
}

let n = 0;
function metricsCase(what: string, hostile: (name: string, t: number) => Record<string, unknown>, read: (name: string) => Promise<unknown>, expected: unknown): StorageCase {
  const i = n++;
  const name = `d3_m_${i}`;
  const ok = `d3_m_ok_${i}`;
  const t = BASE + i * 10;
  return {
    what: `/v1/metrics: ${what}`,
    send: () => postJson("/v1/metrics", JSON.stringify({ series: [hostile(name, t), { name: ok, labels: { c: "companion" }, samples: [[t, 1]] }] })),
    hostilePath: /^series\[0\]/,
    companionPath: /^series\[1\]/,
    companionReadable: async () => (await seriesLabels(ok)) !== undefined,
    readHostile: () => read(name),
    expected,
  };
}

function remoteWriteCase(what: string, labels: Record<string, string>, metadata: { help?: string; unit?: string }, read: (name: string) => Promise<unknown>, expected: unknown): StorageCase {
  const i = n++;
  const name = `d3_rw_${i}`;
  const ok = `d3_rw_ok_${i}`;
  const t = BASE + i * 10;
  const ls = (m: Record<string, string>) => Object.keys(m).sort().map((k) => ({ name: k, value: m[k] }));
  const body = encodeWriteRequest({
    timeseries: [
      { labels: ls({ __name__: name, ...labels }), samples: [{ timestamp: t, value: 1 }] },
      { labels: ls({ __name__: ok, c: "companion" }), samples: [{ timestamp: t, value: 1 }] },
    ],
    metadata: metadata.help !== undefined || metadata.unit !== undefined ? [{ type: "gauge", metricFamilyName: name, help: metadata.help ?? "", unit: metadata.unit ?? "" }] : [],
  });
  return {
    what: `remote_write: ${what}`,
    send: () => postRw(body),
    hostilePath: /^(timeseries\[0\]|metadata\[0\])/,
    companionPath: /^timeseries\[1\]/,
    companionReadable: async () => (await seriesLabels(ok)) !== undefined,
    readHostile: () => read(name),
    expected,
  };
}

/** `recordJson` is the hostile record as JSON text (so 1e309 and duplicate keys survive). */
function logsCase(what: string, recordJson: (t: number) => string, read: (row: LogRow) => unknown, expected: unknown): StorageCase {
  const i = n++;
  const t = BASE + i * 10;
  const ok = `d3-ok-${i}`;
  return {
    what: `/v1/logs: ${what}`,
    send: () => postJson("/v1/logs", `{"logs":[${recordJson(t)},${JSON.stringify({ request_id: ok, time: t + 1, model: "companion" })}]}`),
    hostilePath: /^logs\[0\]/,
    companionPath: /^logs\[1\]/,
    companionReadable: async () => (await logAt(t + 1))?.request_id === ok,
    readHostile: async () => {
      const row = await logAt(t);
      return row ? read(row) : undefined;
    },
    expected,
  };
}

const NUL = "x\u0000y";
const log = (fields: Record<string, unknown>) => (t: number) => JSON.stringify({ request_id: `d3-${t}`, time: t, ...fields });
const attrs = (row: LogRow) => JSON.parse(row.attributes) as unknown;

const storageCases: StorageCase[] = [
  // D3
  metricsCase("U+0000 in a label value", (name, t) => ({ name, labels: { a: NUL }, samples: [[t, 1]] }), async (name) => (await seriesLabels(name))?.[0].a, NUL),
  metricsCase("U+0000 in help", (name, t) => ({ name, help: NUL, type: "gauge", samples: [[t, 1]] }), async (name) => (await metadataOf(name))?.help, NUL),
  metricsCase("U+0000 in unit", (name, t) => ({ name, unit: NUL, type: "gauge", samples: [[t, 1]] }), async (name) => (await metadataOf(name))?.unit, NUL),
  remoteWriteCase("byte 0x00 in a label value", { a: NUL }, {}, async (name) => (await seriesLabels(name))?.[0].a, NUL),
  remoteWriteCase("byte 0x00 in HELP", { a: "b" }, { help: NUL }, async (name) => (await metadataOf(name))?.help, NUL),
  remoteWriteCase("byte 0x00 in UNIT", { a: "b" }, { unit: NUL }, async (name) => (await metadataOf(name))?.unit, NUL),
  logsCase("U+0000 in request_id", (t) => JSON.stringify({ request_id: NUL, time: t }), (r) => r.request_id, NUL),
  logsCase("U+0000 in model", log({ model: NUL }), (r) => r.model, NUL),
  logsCase("U+0000 in provider", log({ provider: NUL }), (r) => r.provider, NUL),
  logsCase("U+0000 in error_type", log({ error_type: NUL }), (r) => r.error_type, NUL),
  logsCase("U+0000 in error_message", log({ error_message: NUL }), (r) => r.error_message, NUL),
  logsCase("U+0000 in an attributes value", log({ attributes: { k: NUL } }), attrs, { k: NUL }),
  logsCase("U+0000 in an attributes key", log({ attributes: { [NUL]: 1 } }), attrs, { [NUL]: 1 }),
  logsCase("U+0000 in a nested attributes value", log({ attributes: { k: [{ deep: NUL }] } }), attrs, { k: [{ deep: NUL }] }),
  logsCase("lone surrogate in an attributes value", log({ attributes: { k: "\udc00" } }), attrs, { k: "\udc00" }),
  logsCase("lone surrogate in an attributes key", log({ attributes: { "\ud800": 1 } }), attrs, { "\ud800": 1 }),
  logsCase("input_tokens 3000000000", log({ input_tokens: 3_000_000_000 }), (r) => Number(r.input_tokens), 3_000_000_000),
  logsCase("output_tokens 9007199254740991", log({ output_tokens: 9_007_199_254_740_991 }), (r) => Number(r.output_tokens), 9_007_199_254_740_991),
  // D12: silent changes
  metricsCase("lone surrogate in a label value", (name, t) => ({ name, labels: { a: "x\udc00" }, samples: [[t, 1]] }), async (name) => (await seriesLabels(name))?.[0].a, "x\udc00"),
  logsCase("lone surrogate in model", log({ model: "m\ud800" }), (r) => r.model, "m\ud800"),
  logsCase("1e309 in attributes", (t) => `{"request_id":"d3-${t}","time":${t},"attributes":{"big":1e309}}`, attrs, { big: Infinity }),
  // D7: deep attributes, under the 16 KiB limit
  logsCase("attributes nested 5,000 arrays deep", (t) => `{"request_id":"d7-${t}","time":${t},"attributes":{"x":${"[".repeat(5000)}1${"]".repeat(5000)}}}`, attrs, { x: JSON.parse(`${"[".repeat(5000)}1${"]".repeat(5000)}`) }),
  logsCase("attributes nested 8,000 arrays deep", (t) => `{"request_id":"d7-${t}","time":${t},"attributes":{"x":${"[".repeat(8000)}1${"]".repeat(8000)}}}`, attrs, { x: JSON.parse(`${"[".repeat(8000)}1${"]".repeat(8000)}`) }),
  logsCase("attributes nested 2,500 objects deep", (t) => `{"request_id":"d7-${t}","time":${t},"attributes":${'{"a":'.repeat(2500)}1${"}".repeat(2500)}}`, attrs, JSON.parse(`${'{"a":'.repeat(2500)}1${"}".repeat(2500)}`)),
];

/** JSON equality that tells Infinity from null and keeps lone surrogates. */
const same = (a: unknown, b: unknown): boolean => {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
};

describe("D3, D7, D12: a 2xx never loses data; the valid companion always lands", () => {
  it(`${storageCases.length} unstorable values, each with a valid companion in the same request`, async () => {
    const answers = await Promise.all(storageCases.map((c) => c.send()));
    const problems: string[][] = storageCases.map(() => []);
    storageCases.forEach((c, i) => {
      const a = answers[i];
      const rejected: { path: string; reason: string }[] = a.json?.rejected ?? [];
      if (a.status !== 400 && (a.status < 200 || a.status > 299)) problems[i].push(`answered ${show(a)}: expected 2xx, or 400 naming the item`);
      if (a.ms > 2_000) problems[i].push(`took ${Math.round(a.ms)} ms`);
      if (a.status === 400 && !rejected.some((r) => c.hostilePath.test(r.path))) problems[i].push(`400 does not name the item (${c.hostilePath}): ${a.text.slice(0, 300)}`);
      if (rejected.some((r) => c.companionPath.test(r.path))) problems[i].push(`the valid companion was rejected: ${a.text.slice(0, 300)}`);
      if (a.status >= 400 && sqlLeak(a.text)) problems[i].push(`error leaks SQL: ${sqlLeak(a.text)}`);
    });
    // Companions (and accepted hostile items) land within 20 s, or never.
    const deadline = Date.now() + 20_000;
    const pending = new Set(storageCases.map((_, i) => i).filter((i) => answers[i].status !== 0 && answers[i].status < 500));
    while (pending.size && Date.now() < deadline) {
      for (const i of [...pending]) {
        const c = storageCases[i];
        const accepted = answers[i].status >= 200 && answers[i].status < 300;
        if ((await c.companionReadable()) && (!accepted || (await c.readHostile()) !== undefined)) pending.delete(i);
      }
      if (pending.size) await new Promise((r) => setTimeout(r, 500));
    }
    for (const i of pending) problems[i].push(answers[i].status < 300 ? `answered ${answers[i].status}, then the companion or the item itself never became readable (lost)` : "the valid companion never became readable");
    for (let i = 0; i < storageCases.length; i++) {
      const stored = await storageCases[i].readHostile();
      if (stored !== undefined && !same(stored, storageCases[i].expected)) problems[i].push(`stored, but changed: ${JSON.stringify(stored)?.slice(0, 120)} instead of ${JSON.stringify(storageCases[i].expected)?.slice(0, 120)}`);
    }
    const report = storageCases.flatMap((c, i) => (problems[i].length ? [`${c.what} (${answers[i].status}):\n    ${problems[i].join("\n    ")}`] : []));
    const health = await healthProblems(stack);
    expect(report, report.join("\n")).toEqual([]);
    expect(health).toEqual([]);
  });
});

describe("D12: precise messages; duplicate keys in /v1/logs", () => {
  it("an invalid log time says why, not just 'Invalid input'", async () => {
    for (const time of ["1.5", "1e309", '"yesterday"', "true"]) {
      const t = BASE - 200_000 - n++ * 10;
      const a = await postJson("/v1/logs", `{"logs":[{"request_id":"d12-time-${t}","time":${time}},{"request_id":"d12-ok-${t}","time":${t}}]}`);
      expect(a.status, show(a)).toBe(400);
      const r = (a.json.rejected as { path: string; reason: string }[]).find((x) => x.path.startsWith("logs[0]"));
      expect(r, show(a)).toBeDefined();
      // zod's bare "Invalid input" (what the union said) is not a reason.
      expect(r!.reason, `time ${time}`).not.toMatch(/invalid input\s*$/i);
      expect(r!.reason, `time ${time}`).toMatch(/time/);
      expect(r!.reason, `time ${time}`).toMatch(/millisecond|RFC 3339|range|integer/);
    }
  });

  it("duplicate keys in a log record are refused with their path; the companion lands", async () => {
    const t = BASE - 300_000;
    const texts = [
      `{"request_id":"d12-dup-a","request_id":"d12-dup-b","time":${t}}`,
      `{"request_id":"d12-dup-c","time":${t + 10},"model":"m1","model":"m2"}`,
      `{"request_id":"d12-dup-d","time":${t + 20},"attributes":{"k":1,"k":2}}`,
    ];
    for (const [i, rec] of texts.entries()) {
      const a = await postJson("/v1/logs", `{"logs":[${rec},{"request_id":"d12-dup-ok-${i}","time":${t + 100 + i}}]}`);
      expect(a.status, show(a)).toBe(400);
      const rejected = a.json.rejected as { path: string; reason: string }[];
      expect(rejected.some((r) => r.path.startsWith("logs[0]") && /duplicate/i.test(r.reason)), show(a)).toBe(true);
      expect(rejected.some((r) => r.path.startsWith("logs[1]")), show(a)).toBe(false);
    }
    await expect.poll(async () => Promise.all([0, 1, 2].map((i) => logAt(t + 100 + i).then((r) => r?.request_id))), { timeout: 20_000, interval: 300 }).toEqual(["d12-dup-ok-0", "d12-dup-ok-1", "d12-dup-ok-2"]);
    for (const dt of [0, 10, 20]) expect(await logAt(t + dt), "a record with a duplicate key was stored").toBeUndefined();
  });
});

describe("D2: compression bombs", () => {
  // 2 GiB of zeros in about 2 MB: the old code inflated all of it before its 413.
  const bombs: [string, string, string, Uint8Array][] = [
    ["gzip", "/v1/metrics", "gzip", gzipBomb(2048)],
    ["deflate", "/v1/logs", "deflate", deflateBomb(2048)],
  ];
  for (const [what, path, encoding, body] of bombs) {
    it(`${what}: 2 GiB inflated from ${(body.length / 1e6).toFixed(1)} MB gets 413 within 2.5 s (it took 10 s), costs workerd under 256 MiB, and does not hold ingest`, async () => {
      // The peak is reset first: an earlier test's high-water mark must not hide this one's.
      resetWorkerdPeaks();
      const rssBefore = workerdRssKiB();
      const bomb = call(`${stack.url}${path}`, { headers: { ...auth(), "content-type": "application/json", "content-encoding": encoding }, body, timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 100));
      const beside = await postJson("/v1/metrics", JSON.stringify({ series: [{ name: "beside_bomb", samples: [[Date.now() - 1000, 1]] }] }));
      const a = await bomb;
      const grown = (workerdPeakKiB() - rssBefore) / 1024;
      const health = await healthProblems(stack);
      expect(a.status, show(a)).toBe(413);
      expect(a.json.error).toMatch(/decompressed|inflat/i);
      expect(a.json.error).toMatch(/33554432|32 MiB/);
      expect(a.ms, show(a)).toBeLessThan(2_500);
      expect(beside.status, show(beside)).toBe(202);
      expect(beside.ms, `small ingest beside the bomb: ${show(beside)}`).toBeLessThan(2_500);
      expect(grown, "workerd peak memory growth (MiB)").toBeLessThan(256);
      expect(health).toEqual([]);
    });
  }
});
