// Recording rules (Prometheus 2.42 rules/recording.go) and the group
// evaluation around them: output labels, scalar results, later rules seeing
// earlier outputs at the same time (OverlayStorage), staleness markers.
import { describe, expect, it } from "vitest";
import type { RuleGroupSpec } from "../../../shared/rules/types";
import { isStaleNaN, STALE_NAN } from "../../../shared/staleness";
import { MemoryStorage } from "../../../shared/storage/memory";
import { instantQuery } from "../../../workers/query/promql/index";
import { evaluateGroup, initialGroupState } from "../../../workers/query/rules/evaluate-group";
import { OverlayStorage } from "../../../workers/query/rules/overlay-storage";

const M = 60_000;
const opts = { externalURL: "" };

function requests(): MemoryStorage {
  const ts = Array.from({ length: 11 }, (_, i) => i * M);
  return new MemoryStorage([
    { labels: { __name__: "req_total", job: "api", instance: "a" }, timestamps: ts, values: ts.map((t) => t / 1000) },
    { labels: { __name__: "req_total", job: "api", instance: "b" }, timestamps: ts, values: ts.map((t) => t / 500) },
  ]);
}

describe("recording rules", () => {
  it("names the output, sets the rule's labels over the result's, and writes a scalar result as one unlabelled series", async () => {
    const group: RuleGroupSpec = {
      name: "g",
      rules: [
        { record: "job:req:rate5m", expr: "sum by (job) (rate(req_total[5m]))", labels: { job: "renamed", team: "llm" } },
        { record: "two", expr: "1 + 1" },
      ],
    };
    const ev = await evaluateGroup(requests(), group, 10 * M, initialGroupState(group), opts);
    expect(ev.series).toEqual([
      { labels: { __name__: "job:req:rate5m", job: "renamed", team: "llm" }, timestamp: 10 * M, value: 3 },
      { labels: { __name__: "two" }, timestamp: 10 * M, value: 2 },
    ]);
    expect(ev.state.rules.map((r) => r.health)).toEqual(["ok", "ok"]);
    expect(ev.toSend).toEqual([]);
  });

  it("a later rule reads an earlier rule's output at the same time, without it being written", async () => {
    const storage = requests();
    const group: RuleGroupSpec = {
      name: "g",
      rules: [
        { record: "instance:req:rate1m", expr: "rate(req_total[2m])" },
        { record: "job:req:sum", expr: "sum(instance:req:rate1m)" },
        { alert: "Busy", expr: "job:req:sum > 2" },
      ],
    };
    const ev = await evaluateGroup(storage, group, 5 * M, initialGroupState(group), opts);
    expect(ev.series.find((s) => s.labels.__name__ === "job:req:sum")).toEqual({ labels: { __name__: "job:req:sum" }, timestamp: 5 * M, value: 3 });
    expect(ev.state.rules[2].alerts).toEqual([expect.objectContaining({ state: "firing", value: 3, labels: { alertname: "Busy" } })]);
    // The base storage is untouched: writing is the caller's job.
    expect(await storage.series([[{ name: "__name__", type: "=", value: "job:req:sum" }]], { start: 0, end: 10 * M })).toEqual([]);
  });

  it("duplicate label sets after the rule's labels are the rule's error; the group goes on", async () => {
    const group: RuleGroupSpec = { name: "g", rules: [{ record: "r", expr: "req_total", labels: { instance: "x" } }, { record: "ok", expr: "vector(1)" }] };
    const ev = await evaluateGroup(requests(), group, 0, initialGroupState(group), opts);
    expect(ev.state.rules[0]).toMatchObject({ health: "err", lastError: "vector contains metrics with the same labelset after applying rule labels" });
    expect(ev.series).toEqual([{ labels: { __name__: "ok" }, timestamp: 0, value: 1 }]);
  });

  it("limit counts series", async () => {
    const group: RuleGroupSpec = { name: "g", limit: 1, rules: [{ record: "r", expr: "req_total" }] };
    const ev = await evaluateGroup(requests(), group, 0, initialGroupState(group), opts);
    expect(ev.state.rules[0].lastError).toBe("exceeded limit of 1 with 2 series");
  });

  it("writes a staleness marker for a series the rule wrote last time and not this time, once", async () => {
    const storage = requests();
    const group: RuleGroupSpec = { name: "g", rules: [{ record: "r", expr: "req_total > 250 < 500" }] };
    let state = initialGroupState(group);
    const at = async (m: number) => {
      const ev = await evaluateGroup(storage, group, m * M, state, opts);
      state = ev.state;
      return ev.series;
    };
    const live = (series: { labels: Record<string, string>; value: number }[]) => series.filter((s) => !isStaleNaN(s.value)).map((s) => s.labels.instance);
    expect(await at(3)).toEqual([{ labels: { __name__: "r", instance: "b", job: "api" }, timestamp: 3 * M, value: 360 }]); // a=180, b=360
    expect(live(await at(4))).toEqual(["b"]); // a=240, b=480
    const s5 = await at(5); // a=300, b=600
    expect(live(s5)).toEqual(["a"]);
    expect(s5.filter((s) => isStaleNaN(s.value))).toEqual([{ labels: { __name__: "r", instance: "b", job: "api" }, timestamp: 5 * M, value: expect.anything() }]);
    const s6 = await at(6);
    expect(live(s6)).toEqual(["a"]);
    expect(s6.filter((s) => isStaleNaN(s.value))).toEqual([]); // once
    expect(state.rules[0].lastSeries).toEqual([JSON.stringify({ __name__: "r", instance: "a", job: "api" })]);
  });
});

describe("OverlayStorage", () => {
  it("merges overlay samples into base series (overlay wins at equal times) and adds new series", async () => {
    const base = new MemoryStorage([{ labels: { __name__: "m", a: "1" }, timestamps: [0, M], values: [1, 2] }]);
    const o = new OverlayStorage(base);
    o.add({ __name__: "m", a: "1" }, M, 20);
    o.add({ __name__: "m", a: "1" }, 2 * M, 30);
    o.add({ __name__: "m", a: "2" }, 2 * M, 5);
    const r = await instantQuery(o, "m", 2 * M);
    expect(r.resultType === "vector" && r.result.map((s) => [s.metric.a, s.v])).toEqual([["1", 30], ["2", 5]]);
    const sel = await o.select([{ name: "a", type: "=", value: "1" }], { start: 0, end: 3 * M });
    expect([...sel[0].values]).toEqual([1, 20, 30]);
    expect(await o.labelValues("a", [], { start: 0, end: 3 * M })).toEqual(["1", "2"]);
    o.add({ __name__: "m", a: "2" }, 3 * M, STALE_NAN);
    const after = await instantQuery(o, "m", 3 * M);
    expect(after.resultType === "vector" && after.result.map((s) => s.metric.a)).toEqual(["1"]);
  });
});
