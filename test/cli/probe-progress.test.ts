// The terminal progress bar the probe and the demo share: drawn in place on a
// terminal only, at most ten times a second (but always at 100%), cleared or
// kept at the end; and the demo's backfill bar keeps its own line text.
import { describe, expect, it } from "vitest";
import { progress } from "../../cli/demo/progress";
import { progressBar } from "../../cli/terminal/progress";

const sink = (isTTY: boolean) => {
  const writes: string[] = [];
  return { out: { isTTY, write: (t: string) => writes.push(t) }, writes };
};
const clock = (start = 1_000) => {
  const c = { t: start, now: () => c.t };
  return c;
};

describe("progressBar", () => {
  it("draws nothing off a terminal", () => {
    const s = sink(false);
    const bar = progressBar(s.out, "x");
    bar.update(1, 2);
    bar.done();
    expect(s.writes).toEqual([]);
    progressBar(undefined, "x").update(1, 2);
  });

  it("redraws in place, at most every 100 ms, always at the end, then clears the line", () => {
    const s = sink(true);
    const c = clock();
    const bar = progressBar(s.out, "latency", { width: 10, now: c.now });
    c.t += 150;
    bar.update(1, 4, "1 failed");
    c.t += 50;
    bar.update(2, 4); // within 100 ms: skipped
    c.t += 10;
    bar.update(4, 4); // the last one is drawn anyway
    bar.done();
    expect(s.writes).toEqual([
      "\r\x1b[2Klatency [###-------] 25% 150ms  1 failed",
      "\r\x1b[2Klatency [##########] 100% 210ms",
      "\r\x1b[2K",
    ]);
  });

  it("keep leaves the last bar on its line; a bar never drawn writes nothing at the end", () => {
    const s = sink(true);
    const c = clock();
    const kept = progressBar(s.out, "k", { width: 4, now: c.now, keep: true, tail: (pct, _ms, note) => `${pct}%|${note}` });
    c.t += 200;
    kept.update(5, 4, "over"); // past the total: a full bar, 100%
    kept.done();
    progressBar(s.out, "never").done();
    expect(s.writes).toEqual(["\r\x1b[2Kk [####] 100%|over", "\n"]);
  });
});

describe("the demo's backfill progress", () => {
  it("on a terminal: the bar with the backfill's own line, kept at the end", () => {
    const s = sink(true);
    const c = clock();
    const p = progress(240, s.out, () => expect.unreachable("no log lines on a terminal"), c.now);
    c.t += 1_500;
    p.update(120, 123_456, 2_345);
    p.finish();
    expect(s.writes).toEqual([`\r\x1b[2Kbackfill [${"#".repeat(15)}${"-".repeat(15)}] 50%  123,456 samples, 2,345 request logs  (1.50s)`, "\n"]);
  });

  it("off a terminal: one log line per 10%", () => {
    const s = sink(false);
    const lines: string[] = [];
    const c = clock();
    const p = progress(100, s.out, (l) => lines.push(l), c.now);
    for (let i = 1; i <= 100; i++) p.update(i, i * 10, i);
    p.finish();
    expect(s.writes).toEqual([]);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^backfill 10% {2}100 samples, 10 request logs {2}\(0ms\)$/);
    expect(lines.at(-1)).toMatch(/^backfill 100% /);
  });
});
