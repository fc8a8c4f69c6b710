// The log tail's quick record check must never pass what RequestLogSchema
// refuses, and must pass the records real sources produce (or it saves nothing).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { lineRecord } from "../../cli/agent/collectors/log-records";
import { quickValidator } from "../../cli/agent/collectors/record-check";
import { parseConfig } from "../../cli/agent/config";
import { RequestLogSchema } from "../../shared/logs/record";

const quick = quickValidator(RequestLogSchema);
const valid = (v: unknown) => RequestLogSchema.safeParse(v).success;

const LITELLM = parseConfig(`data_dir: /tmp/x\nendpoint: { url: "http://h:1", api_key: k }\nlogs: [{ path: /x.jsonl, format: litellm }]\n`, "a.yaml").logs[0];

/** A LiteLLM line as the agent bench writes it, through the agent's own adapter. */
function litellmRecord(i: number): Record<string, unknown> {
  const t = 1765000000 + i;
  const line = JSON.stringify({
    id: `chatcmpl-${i}`, call_type: "acompletion", stream: true, response_cost: 0.00042, status: "success", custom_llm_provider: "openai",
    total_tokens: 150, prompt_tokens: 100, completion_tokens: 50, startTime: t - 1.5, endTime: t, completionStartTime: t - 1.2,
    model: "gpt-4o-mini", model_group: "gpt-4o-mini", api_base: "https://api.openai.com", metadata: { user_api_key_team_alias: "search" }, cache_hit: false,
  });
  const r = lineRecord(line, LITELLM, "fallback")!;
  if (!r.ok) throw new Error("fixture line is not a record");
  return { ...r.record, attributes: { host: "h", ...r.record.attributes } };
}

/** mulberry32, so a failure reproduces. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL: unknown[] = [
  undefined, null, true, false, 0, -0, 1, -1, 1.5, 99, 100, 599, 600, 2 ** 53, NaN, Infinity, -Infinity, "", "x", "a".repeat(256), "a".repeat(257),
  "a".repeat(1025), "a".repeat(8193), "success", "failure", "error", "ok", "2026-01-01T00:00:00Z", "2026-01-01", [], ["a"], [1], Array(65).fill("t"),
  ["a".repeat(257)], {}, { a: 1 }, { a: { b: [1] } }, Object.create({ inherited: 1 }), new Date(0),
];

describe("quick record check", () => {
  it("passes what the adapters produce, so zod is skipped on the hot path", () => {
    for (let i = 0; i < 50; i++) expect(quick(litellmRecord(i))).toBe(true);
    // the recorded LiteLLM payloads: every one the schema accepts passes quickly too
    const lines = readFileSync(new URL("./fixtures/litellm.jsonl", import.meta.url), "utf8").trim().split("\n");
    const records = lines.map((l, i) => lineRecord(l, LITELLM, `f-${i}`)).flatMap((r) => (r?.ok ? [r.record] : []));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records.filter(valid)) expect(quick(r), JSON.stringify(r)).toBe(true);
  });

  it("never passes a record the schema refuses (20,000 seeded mutations)", () => {
    const next = rng(42);
    const keys = [...Object.keys(RequestLogSchema.shape), "unknown_key", "__proto__"];
    let passed = 0;
    let refusedBySchema = 0;
    for (let i = 0; i < 20_000; i++) {
      const r: Record<string, unknown> = litellmRecord(i);
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) {
        const k = keys[Math.floor(next() * keys.length)];
        const v = POOL[Math.floor(next() * POOL.length)];
        if (k === "attributes" && next() < 0.5) r.attributes = { ...(r.attributes as object), x: v };
        else r[k] = v;
      }
      const q = quick(r);
      if (q) {
        passed++;
        expect(valid(r), JSON.stringify(r)).toBe(true);
      }
      if (!valid(r)) refusedBySchema++;
    }
    // both sides were exercised
    expect(passed).toBeGreaterThan(1000);
    expect(refusedBySchema).toBeGreaterThan(1000);
  });

  it("leaves to zod what it does not understand", () => {
    expect(quickValidator(z.strictObject({ e: z.email() }))({ e: "a@b.co" })).toBe(false);
    expect(quickValidator(z.object({ a: z.string() }))({ a: "x" })).toBe(false); // not strict: extra keys are zod's business
    expect(quickValidator(z.strictObject({ t: z.union([z.number().int(), z.iso.datetime()]) }))({ t: "2026-01-01T00:00:00Z" })).toBe(false);
    expect(quickValidator(z.strictObject({ t: z.union([z.number().int(), z.iso.datetime()]) }))({ t: 5 })).toBe(true);
    expect(quickValidator(z.strictObject({ n: z.coerce.number() }))({ n: 1 })).toBe(false);
  });
});
