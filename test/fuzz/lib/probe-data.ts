// The small dataset of the probe's query cases, loaded the same way into the
// stack and into a real Prometheus (remote_write, the agent's encoder): 50
// gauges, a counter, and label values of 2,048 characters for regex cases.
import { sql } from "drizzle-orm";
import { pushInTimeOrder, type PushSeries } from "../../../scripts/lib/prometheus";
import { eventually, type TestStack } from "../../helpers/stack";

/** "a" × 2047 + "!": the value the probe's catastrophic regexes ran against. */
export const REDOS_VALUE = "a".repeat(2047) + "!";

export interface ProbeData {
  series: PushSeries[];
  /** An evaluation time (ms) inside the data, on a whole second. */
  at: number;
  start: number;
  samples: number;
}

export function probeData(now = Date.now()): ProbeData {
  const end = Math.floor(now / 1000) * 1000 - 30_000;
  const start = end - 10 * 60_000;
  const timestamps = Array.from({ length: 41 }, (_, i) => start + i * 15_000);
  const mk = (labels: Record<string, string>, f: (i: number) => number): PushSeries => ({ labels, timestamps, values: Float64Array.from(timestamps, (_, i) => f(i)) });
  const series: PushSeries[] = [];
  for (let i = 0; i < 50; i++) series.push(mk({ __name__: "qprobe_series", i: String(i), job: `j${i % 3}`, grp: `g${i % 5}` }, (k) => (i * 7 + k) % 13));
  series.push(mk({ __name__: "qprobe_counter_total", job: "a" }, (k) => k * 10));
  series.push(mk({ __name__: "qprobe_special", v: REDOS_VALUE }, () => 1));
  // Without the final "!", every pattern that needs one fails only after backtracking.
  series.push(mk({ __name__: "qprobe_special", v: REDOS_VALUE.slice(0, -1) + "a" }, () => 3));
  series.push(mk({ __name__: "qprobe_special", v: "x" }, () => 2));
  return { series, at: end - 60_000, start, samples: series.length * timestamps.length };
}

/** Pushes the data into the stack and waits until every sample is stored. */
export async function loadProbeData(stack: TestStack, data: ProbeData): Promise<void> {
  await pushInTimeOrder(stack.url, data.series, { headers: { authorization: `Bearer ${stack.key}` }, sliceMs: 60 * 60_000 });
  await eventually(async () => {
    const { rows } = await stack.db.db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM samples x JOIN series s ON s.id = x.series_id
      WHERE s.tenant_id = ${stack.tenantId} AND s.metric_name LIKE 'qprobe_%'`);
    return rows[0].n === data.samples;
  }, 30_000, `${data.samples} probe samples stored`);
}
