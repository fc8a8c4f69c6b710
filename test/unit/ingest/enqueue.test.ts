// Queue messages must stay under the 128 KB Queues limit as V8 serialises
// them, and the size estimate must never be below the real size.
import { describe, expect, it } from "vitest";
import { serialize } from "node:v8";
import { splitLogs, splitMetrics } from "../../../workers/ingest/enqueue";
import { logRow } from "../../support/log-row";
import { QUEUE_MESSAGE_TARGET_BYTES, type LogRow, type QueueSeries } from "../../../shared/contracts/queue";

function series(n: number, samples: number, label: (i: number) => string): QueueSeries[] {
  return Array.from({ length: n }, (_, i) => ({
    name: "vllm:e2e_request_latency_seconds_bucket",
    labels: { instance: `gpu-${i % 97}:8000`, model_name: label(i), le: String(i % 12) },
    timestamps: Float64Array.from({ length: samples }, (_, k) => 1_795_000_000_000 + k * 15_000),
    values: Float64Array.from({ length: samples }, (_, k) => k * 0.5),
  }));
}

describe("splitMetrics", () => {
  it.each([
    ["many one-sample series", series(5000, 1, (i) => `model-${i}`)],
    ["few long series", series(20, 5000, (i) => `model-${i}`)],
    ["wide characters in labels", series(3000, 2, (i) => `模型-${i}-ünïcode`)],
  ])("%s: every message under the target, estimates never below the real size", (_name, input) => {
    const parts = splitMetrics(1, "b", input, [{ name: "m", type: "counter", help: "h".repeat(4096), unit: "" }]);
    let total = 0;
    for (const p of parts) {
      const real = serialize(p.body).length;
      expect(real).toBeLessThanOrEqual(p.bytes);
      expect(p.bytes).toBeLessThanOrEqual(QUEUE_MESSAGE_TARGET_BYTES);
      total += p.body.series.reduce((n, s) => n + s.timestamps.length, 0);
    }
    expect(total).toBe(input.reduce((n, s) => n + s.timestamps.length, 0));
    // Not wastefully small: the estimate is within 2x of reality on average.
    const real = parts.reduce((n, p) => n + serialize(p.body).length, 0);
    expect(parts.reduce((n, p) => n + p.bytes, 0)).toBeLessThan(2 * real);
  });
});

describe("splitLogs", () => {
  it("keeps every log message under the target", () => {
    const rows: LogRow[] = Array.from({ length: 3000 }, (_, i) => logRow(`req-${i}`, 1_795_000_000_000 + i, {
      model: "llama3", provider: "vllm", httpStatus: 200, latencyMs: 812.5, ttftMs: 95, inputTokens: 512, outputTokens: 128, costUsd: 0.0012,
      user: `u-${i}`, team: "search", tags: ["prod"], attributes: { route: "/v1/chat/completions", note: "é".repeat(50) },
    }));
    for (const p of splitLogs(1, "b", rows)) {
      expect(serialize(p.body).length).toBeLessThanOrEqual(p.bytes);
      expect(p.bytes).toBeLessThanOrEqual(QUEUE_MESSAGE_TARGET_BYTES);
    }
  });

  it("bounds rows of every shape, and closely: parts are filled, not half empty", () => {
    const texts = ["", "a", "é".repeat(63), "é".repeat(64), "漢".repeat(63), "漢".repeat(64), "😀".repeat(100), "x".repeat(300), "é".repeat(9000)];
    const rows: LogRow[] = Array.from({ length: 2000 }, (_, i) => {
      const t = texts[i % texts.length];
      return logRow(`req-${i}-${t.slice(0, 3)}`, 1_795_000_000_000 + i, {
        model: t.slice(0, 256), errorMessage: i % 3 ? null : t, httpStatus: i % 2 ? 200 : null, latencyMs: i * 1.5, inputTokens: i, costUsd: 1e-7 * i,
        tags: [t.slice(0, 10), "prod"], stream: i % 2 === 0,
        attributes: { [t.slice(0, 5) || "k"]: t, n: [i, -i, 2 ** 40, 0.1, null, true, { deep: [t, { x: i }] }], empty: {}, list: [] },
      });
    });
    const parts = splitLogs(1, "b", rows);
    let real = 0;
    let bound = 0;
    for (const p of parts) {
      const n = serialize(p.body).length;
      expect(n).toBeLessThanOrEqual(p.bytes);
      expect(p.bytes).toBeLessThanOrEqual(QUEUE_MESSAGE_TARGET_BYTES);
      real += n;
      bound += p.bytes;
    }
    expect(parts.reduce((n, p) => n + p.body.records.length, 0)).toBe(rows.length);
    expect(bound / real).toBeLessThan(1.25);
  });

  it("counts two-byte text at two bytes a character", () => {
    const rows = Array.from({ length: 200 }, (_, i) => logRow(`req-${i}`, 1_795_000_000_000 + i, { errorMessage: "漢".repeat(4000), attributes: { note: "😀".repeat(500) } }));
    for (const p of splitLogs(1, "b", rows)) expect(serialize(p.body).length).toBeLessThanOrEqual(p.bytes);
  });
});
