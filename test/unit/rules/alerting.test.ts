// The alert state machine, one evaluation at a time, against Prometheus
// 2.42's rules/alerting.go: pending -> firing -> resolved -> dropped, `for`,
// keep_firing_for, limit, duplicate label sets, resend timing and what is sent.
import { describe, expect, it } from "vitest";
import type { GroupState, RuleGroupSpec } from "../../../shared/rules/types";
import { isStaleNaN, STALE_NAN } from "../../../shared/staleness";
import { MemoryStorage } from "../../../shared/storage/memory";
import { evaluateGroup, initialGroupState, type GroupEvaluation } from "../../../workers/query/rules/evaluate-group";

const M = 60_000;
const opts = { externalURL: "https://is.example", externalLabels: { cluster: "eu-1" } };

/** x{instance="a"} = 1 every minute from 0 to lastMin, then a staleness marker. */
function storageWith(lastMin: number, extra: { labels: Record<string, string>; values: number[] }[] = []): MemoryStorage {
  const ts = Array.from({ length: lastMin + 2 }, (_, i) => i * M);
  const vs = new Float64Array(ts.length).fill(1);
  vs[lastMin + 1] = STALE_NAN;
  const s = new MemoryStorage([{ labels: { __name__: "x", instance: "a" }, timestamps: ts, values: vs }]);
  for (const e of extra) s.add({ labels: e.labels, timestamps: e.values.map((_, i) => i * M), values: e.values });
  return s;
}

async function run(storage: MemoryStorage, group: RuleGroupSpec, minutes: number[], viaJson = false): Promise<Map<number, GroupEvaluation>> {
  let state: GroupState = initialGroupState(group);
  const out = new Map<number, GroupEvaluation>();
  for (const m of minutes) {
    const ev = await evaluateGroup(storage, group, m * M, state, opts);
    // The cron keeps the state as JSON in Postgres between evaluations.
    state = viaJson ? (JSON.parse(JSON.stringify(ev.state)) as GroupState) : ev.state;
    out.set(m, ev);
  }
  return out;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe("alerting rule with for: 2m", () => {
  const group: RuleGroupSpec = { name: "g", rules: [{ alert: "XUp", expr: "x > 0", for: "2m", labels: { severity: "page" }, annotations: { summary: "{{ $labels.instance }} is {{ $value }}" } }] };

  it("a pending alert that goes away is deleted, not resolved", async () => {
    const evs = await run(storageWith(1), group, range(0, 2));
    expect(evs.get(1)!.state.rules[0].alerts[0].state).toBe("pending");
    expect(evs.get(2)!.state.rules[0].alerts).toEqual([]);
    expect(evs.get(2)!.toSend).toEqual([]);
  });

  it("goes pending, fires after 2m, resolves, is resent as resolved and dropped after 15m", async () => {
    const evs = await run(storageWith(4), group, range(0, 22));
    const alert = (m: number) => evs.get(m)!.state.rules[0].alerts;
    expect(alert(0)).toEqual([{ labels: { alertname: "XUp", instance: "a", severity: "page" }, annotations: { summary: "a is 1" }, state: "pending", value: 1, activeAt: 0 }]);
    expect(alert(1)[0].state).toBe("pending");
    expect(alert(2)[0]).toMatchObject({ state: "firing", firedAt: 2 * M, activeAt: 0, lastSentAt: 2 * M, validUntil: 6 * M });
    expect(alert(5)[0]).toMatchObject({ state: "inactive", resolvedAt: 5 * M });
    expect(alert(20)).toHaveLength(1); // 15m after resolving: still kept
    expect(alert(21)).toEqual([]); // more than 15m: gone
    expect(evs.get(0)!.state.rules[0]).toMatchObject({ health: "ok", lastError: "", lastEvaluation: 0 });
  });

  it("writes ALERTS and ALERTS_FOR_STATE, and staleness markers for the series that went away", async () => {
    const evs = await run(storageWith(4), group, range(0, 6));
    const base = { alertname: "XUp", instance: "a", severity: "page" };
    expect(evs.get(0)!.series).toEqual([
      { labels: { __name__: "ALERTS", alertstate: "pending", ...base }, timestamp: 0, value: 1 },
      { labels: { __name__: "ALERTS_FOR_STATE", ...base }, timestamp: 0, value: 0 },
    ]);
    const at2 = evs.get(2)!.series;
    expect(at2.filter((s) => !isStaleNaN(s.value))).toEqual([
      { labels: { __name__: "ALERTS", alertstate: "firing", ...base }, timestamp: 2 * M, value: 1 },
      { labels: { __name__: "ALERTS_FOR_STATE", ...base }, timestamp: 2 * M, value: 0 },
    ]);
    expect(at2.filter((s) => isStaleNaN(s.value)).map((s) => s.labels)).toEqual([{ __name__: "ALERTS", alertstate: "pending", ...base }]);
    const at5 = evs.get(5)!.series;
    expect(at5.every((s) => isStaleNaN(s.value))).toBe(true);
    expect(at5.map((s) => s.labels.__name__).sort()).toEqual(["ALERTS", "ALERTS_FOR_STATE"]);
    expect(evs.get(6)!.series).toEqual([]);
  });

  it("sends when it fires, resends after the resend delay, sends the resolve and resends it", async () => {
    const evs = await run(storageWith(4), group, range(0, 8));
    const sent = (m: number) => evs.get(m)!.toSend;
    expect(sent(0)).toEqual([]); // pending: never sent
    expect(sent(1)).toEqual([]);
    expect(sent(2)).toEqual([
      {
        labels: { alertname: "XUp", cluster: "eu-1", instance: "a", severity: "page" },
        annotations: { summary: "a is 1" },
        startsAt: "1970-01-01T00:02:00Z",
        endsAt: "1970-01-01T00:06:00Z",
        generatorURL: "https://is.example/graph?g0.expr=x+%3E+0&g0.tab=1",
      },
    ]);
    expect(sent(3)).toEqual([]); // lastSentAt + 1m is not before 3m
    expect(sent(4).map((a) => a.endsAt)).toEqual(["1970-01-01T00:08:00Z"]);
    expect(sent(5).map((a) => [a.startsAt, a.endsAt])).toEqual([["1970-01-01T00:02:00Z", "1970-01-01T00:05:00Z"]]); // resolved
    expect(sent(6)).toEqual([]);
    expect(sent(7).map((a) => a.endsAt)).toEqual(["1970-01-01T00:05:00Z"]);
  });

  it("behaves the same when the state goes through JSON between evaluations, as the cron stores it", async () => {
    const strip = (evs: Map<number, GroupEvaluation>) => [...evs.values()].map((e) => ({ alerts: e.state.rules[0].alerts, lastSeries: e.state.rules[0].lastSeries, toSend: e.toSend, series: e.series.map((s) => [s.labels, isStaleNaN(s.value) ? "stale" : s.value]) }));
    const direct = await run(storageWith(4), group, range(0, 22));
    const viaJson = await run(storageWith(4), group, range(0, 22), true);
    expect(JSON.parse(JSON.stringify(strip(viaJson)))).toEqual(JSON.parse(JSON.stringify(strip(direct))));
  });

  it("treats an alert that comes back after resolving as new", async () => {
    const storage = storageWith(2);
    storage.append({ __name__: "x", instance: "a" }, 5 * M, 1);
    const evs = await run(storage, group, range(0, 5));
    expect(evs.get(4)!.state.rules[0].alerts[0]).toMatchObject({ state: "inactive", resolvedAt: 3 * M });
    expect(evs.get(5)!.state.rules[0].alerts).toEqual([expect.objectContaining({ state: "pending", activeAt: 5 * M })]);
  });
});

describe("for: 0 and keep_firing_for", () => {
  it("fires at once without for", async () => {
    const evs = await run(storageWith(2), { name: "g", rules: [{ alert: "Now", expr: "x" }] }, [0]);
    expect(evs.get(0)!.state.rules[0].alerts[0]).toMatchObject({ state: "firing", activeAt: 0, firedAt: 0 });
    expect(evs.get(0)!.toSend).toHaveLength(1);
  });

  it("keeps firing for keep_firing_for after the expression stops returning it, then resolves", async () => {
    const evs = await run(storageWith(2), { name: "g", rules: [{ alert: "K", expr: "x", keep_firing_for: "2m" }] }, range(0, 6));
    const a = (m: number) => evs.get(m)!.state.rules[0].alerts[0];
    expect(a(3)).toMatchObject({ state: "firing", keepFiringSince: 3 * M });
    expect(a(4)).toMatchObject({ state: "firing", keepFiringSince: 3 * M });
    expect(a(5)).toMatchObject({ state: "inactive", resolvedAt: 5 * M });
    expect(evs.get(4)!.series.map((s) => s.labels.alertstate).filter(Boolean)).toEqual(["firing"]);
  });

  it("clears keepFiringSince when the expression returns the alert again", async () => {
    const storage = storageWith(1);
    storage.append({ __name__: "x", instance: "a" }, 3 * M, 1);
    const evs = await run(storage, { name: "g", rules: [{ alert: "K", expr: "x", keep_firing_for: "5m" }] }, range(0, 3));
    expect(evs.get(2)!.state.rules[0].alerts[0].keepFiringSince).toBe(2 * M);
    expect(evs.get(3)!.state.rules[0].alerts[0]).toMatchObject({ state: "firing", firedAt: 0 });
    expect(evs.get(3)!.state.rules[0].alerts[0].keepFiringSince).toBeUndefined();
  });
});

describe("errors", () => {
  const two = [{ labels: { __name__: "x", instance: "b" }, values: [1, 1, 1] }];

  it("limit: an error, and the alerts are reset", async () => {
    const storage = storageWith(3, two);
    const group: RuleGroupSpec = { name: "g", limit: 1, rules: [{ alert: "A", expr: "x" }] };
    const evs = await run(storage, group, [0]);
    expect(evs.get(0)!.state.rules[0]).toMatchObject({ health: "err", lastError: "exceeded limit of 1 with 2 alerts", alerts: [] });
    expect(evs.get(0)!.series).toEqual([]);
    expect(evs.get(0)!.toSend).toEqual([]);
  });

  it("two results with one label set after the rule's labels: an error; the state is kept and the next rule still runs", async () => {
    const storage = storageWith(3, two);
    const group: RuleGroupSpec = { name: "g", rules: [{ alert: "A", expr: "x{instance='a'}" }, { alert: "B", expr: "x", labels: { instance: "same" } }, { alert: "C", expr: "x{instance='b'}" }] };
    const evs = await run(storage, group, [0, 1]);
    const rules = evs.get(1)!.state.rules;
    expect(rules[1]).toMatchObject({ health: "err", lastError: "vector contains metrics with the same labelset after applying alert labels", alerts: [] });
    expect(rules[0]).toMatchObject({ health: "ok" });
    expect(rules[2]).toMatchObject({ health: "ok", alerts: [expect.objectContaining({ labels: { alertname: "C", instance: "b" } })] });
  });

  it("a query that fails at run time (many-to-many matching) is the rule's error", async () => {
    const storage = storageWith(3, [...two, { labels: { __name__: "y", instance: "a", k: "1" }, values: [1] }, { labels: { __name__: "y", instance: "a", k: "2" }, values: [1] }]);
    const group: RuleGroupSpec = { name: "g", rules: [{ alert: "A", expr: "x * on(instance) y" }] };
    const evs = await run(storage, group, [0]);
    expect(evs.get(0)!.state.rules[0].health).toBe("err");
    expect(evs.get(0)!.state.rules[0].lastError).toMatch(/many-to-many|multiple matches/);
  });

  it("a string result is refused as Prometheus refuses it", async () => {
    const evs = await run(storageWith(1), { name: "g", rules: [{ record: "r", expr: '"text"' }] }, [0]);
    expect(evs.get(0)!.state.rules[0].lastError).toBe("rule result is not a vector or scalar");
  });
});

describe("templated labels and state across reloads", () => {
  it("templates rule labels with $labels and $value; an empty result removes the label", async () => {
    const group: RuleGroupSpec = { name: "g", rules: [{ alert: "A", expr: "x", labels: { who: "{{ $labels.instance }}-{{ $value }}", gone: "{{ $labels.nothing }}" } }] };
    const evs = await run(storageWith(1), group, [0]);
    expect(evs.get(0)!.state.rules[0].alerts[0].labels).toEqual({ alertname: "A", instance: "a", who: "a-1" });
  });

  it("initialGroupState keeps the state of rules with the same name and labels, in order", async () => {
    const old: RuleGroupSpec = { name: "g", rules: [{ alert: "A", expr: "x" }, { record: "r", expr: "x" }] };
    const evs = await run(storageWith(1), old, [0]);
    const next: RuleGroupSpec = { name: "g", rules: [{ record: "new", expr: "x" }, { alert: "A", expr: "x > 0" }, { alert: "A", expr: "x", labels: { other: "1" } }] };
    const s = initialGroupState(next, { group: old, state: evs.get(0)!.state });
    expect(s.rules[0].lastSeries).toEqual([]);
    expect(s.rules[1].alerts).toHaveLength(1);
    expect(s.rules[1].lastSeries).toHaveLength(2);
    expect(s.rules[2].alerts).toEqual([]);
  });
});
