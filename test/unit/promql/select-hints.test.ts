// The engine tells storage what it will do with each selector (SelectHints:
// step, the nearest function or aggregation, a range vector's range, and the
// selected time range), as Prometheus's engine fills storage.SelectHints, so a
// later rollup can choose a source.
import { describe, expect, it } from "vitest";
import type { LabelMatcher, SelectHints, TimeRange } from "../../../shared/storage/types";
import { instantQuery, rangeQuery } from "../../../workers/query/promql/index";
import { MemoryStorage } from "../../support/memory-storage";
import { series, T0 } from "./helpers";

interface Call {
  metric: string;
  range: TimeRange;
  hints?: SelectHints;
}

/** MemoryStorage that records each select with its hints; `drop` withholds them from the store underneath. */
class Recording extends MemoryStorage {
  calls: Call[] = [];
  override async select(matchers: LabelMatcher[], range: TimeRange, hints?: SelectHints) {
    this.calls.push({ metric: matchers.find((m) => m.name === "__name__")?.value ?? "", range, hints });
    return super.select(matchers, range);
  }
}

const data = () => [
  series({ __name__: "x", job: "a" }, Array.from({ length: 200 }, (_, i) => i * 2)),
  series({ __name__: "x", job: "b" }, Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 0 : i))),
  series({ __name__: "y", job: "a" }, Array.from({ length: 200 }, (_, i) => i / 3)),
];

const M = 60_000;
const START = T0 + 30 * M;
const END = T0 + 45 * M;
const STEP = 30_000;
const LOOKBACK = 5 * M;

async function hintsOf(query: string, instant = false): Promise<Record<string, SelectHints | undefined>> {
  const s = new Recording(data());
  if (instant) await instantQuery(s, query, END);
  else await rangeQuery(s, query, START, END, STEP);
  // Each call's hinted time range is the range it selected.
  for (const c of s.calls) expect({ start: c.hints?.start, end: c.hints?.end }).toEqual(c.range);
  return Object.fromEntries(s.calls.map((c) => [c.metric, c.hints]));
}

describe("select hints", () => {
  it("a range vector under a function and an aggregation: the function, its range, the step", async () => {
    expect(await hintsOf("sum by (job) (rate(x[5m]))")).toEqual({
      x: { step: STEP, func: "rate", range: 5 * M, start: START - 5 * M, end: END },
    });
  });

  it("an instant vector under an aggregation: the aggregation, no range, the lookback in the time range", async () => {
    expect(await hintsOf("max(x)")).toEqual({ x: { step: STEP, func: "max", range: 0, start: START - LOOKBACK, end: END } });
  });

  it("an instant query has step 0; a bare selector has no function", async () => {
    expect(await hintsOf("x", true)).toEqual({ x: { step: 0, func: undefined, range: 0, start: END - LOOKBACK, end: END } });
  });

  it("offset moves the time range; each side of a binary operator has its own hints, none across the operator", async () => {
    expect(await hintsOf("increase(x[10m] offset 5m) / y")).toEqual({
      x: { step: STEP, func: "increase", range: 10 * M, start: START - 15 * M, end: END - 5 * M },
      y: { step: STEP, func: undefined, range: 0, start: START - LOOKBACK, end: END },
    });
    expect((await hintsOf("sum(x + y)")).x?.func).toBeUndefined();
  });

  it("through a subquery, the function nearest the selector (as Prometheus's extractFuncFromPath)", async () => {
    const h = await hintsOf("max_over_time(x[10m:1m])");
    expect(h.x?.func).toBe("max_over_time");
    expect(h.x?.range).toBe(0);
    expect((await hintsOf("max_over_time(rate(x[2m])[10m:1m])")).x).toMatchObject({ func: "rate", range: 2 * M });
  });
});
