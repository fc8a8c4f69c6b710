// bench:ingest's step-by-step look at the aggregator's write path, on the
// benchmark's database after its end-to-end run: groups of 100,000 fresh
// samples (2,000 series × 50, the shape of an aggregator group) written
// (1) by the samples statement as it was (unnest of text arrays, ON CONFLICT
// DO NOTHING), (2) as it is (a plain INSERT in a savepoint), (3) by the whole
// writeMetrics through the workers' Neon driver and the WebSocket proxy (claim,
// series ids from the cache, literals, INSERT, bounds, commit), one group at a
// time, so each figure is one connection's rate. COPY is the baseline.
import pg from "pg";
import { ensureTenant } from "../../shared/admin";
import type { MetricsMessage } from "../../shared/contracts/queue";
import { postgresWriteStorage } from "../../shared/storage/postgres/write";
import { openNodeDb } from "./node-db";

const SERIES = 2_000;
const PER = 50;
const GROUPS = Number(process.env.BENCH_WRITE_GROUPS ?? 3);
const DAY = 86_400_000;

interface Group {
  ids: string;
  ts: string;
  vals: string;
}

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

export async function writeSteps(databaseUrl: string, wsProxy: string, copyRate: number): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const handle = openNodeDb(databaseUrl, wsProxy);
  try {
    // Yesterday, away from what the end-to-end run wrote; each group its own 50 steps of 1 s.
    const day = Math.floor(Date.now() / DAY) - 1;
    await c.query("SELECT inferscope_ensure_day_partitions($1::integer[])", [[day]]);
    let round = 0;
    const times = () => Array.from({ length: PER }, (_, k) => day * DAY + (round * PER + k) * 1000);
    // Series ids far above the real ones: the statements alone, no series rows needed.
    const group = (): Group => {
      const t = times();
      round++;
      const ids: string[] = [];
      const ts: string[] = [];
      const vals: string[] = [];
      for (let s = 0; s < SERIES; s++) {
        ids.push(`${1e9 + s},`.repeat(PER - 1) + (1e9 + s));
        ts.push(t.join(","));
        vals.push(t.map((_, k) => ((s * 7 + k) % 1000) / 10).join(","));
      }
      return { ids: `{${ids.join(",")}}`, ts: `{${ts.join(",")}}`, vals: `{${vals.join(",")}}` };
    };
    const rate = async (write: () => Promise<unknown>) => {
      let ms = 0;
      for (let g = 0; g < GROUPS; g++) {
        const t0 = performance.now();
        await write();
        ms += performance.now() - t0;
      }
      return (GROUPS * SERIES * PER * 1000) / ms;
    };
    const insert = (g: Group, tail: string) =>
      c.query(`INSERT INTO samples (series_id, ts, value) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) ${tail}`, [g.ids, g.ts, g.vals]);
    const rows: Array<[string, number]> = [];
    rows.push(["samples statement as it was: unnest, ON CONFLICT DO NOTHING", await rate(() => insert(group(), "ON CONFLICT DO NOTHING"))]);
    rows.push([
      "samples statement as it is: plain INSERT in a savepoint",
      await rate(async () => {
        const g = group();
        await c.query("BEGIN");
        await c.query("SAVEPOINT samples_plain");
        await insert(g, "");
        await c.query("RELEASE SAVEPOINT samples_plain");
        await c.query("COMMIT");
      }),
    ]);
    const tenantId = (await ensureTenant(handle.db, "bench-write-steps")).id;
    const storage = postgresWriteStorage(handle.db);
    const message = (): MetricsMessage => {
      const t = Float64Array.from(times());
      round++;
      return {
        v: 1, kind: "metrics", tenantId, batchId: `steps-${round}`, part: 0, metadata: [],
        series: Array.from({ length: SERIES }, (_, s) => ({
          name: "bench_steps", labels: { series: String(s), job: "bench" }, timestamps: t, values: t.map((_, k) => ((s * 7 + k) % 1000) / 10),
        })),
      };
    };
    await storage.writeMetrics([message()]); // series ids into the isolate's cache, as a running aggregator has them
    rows.push(["whole writeMetrics (Neon driver over the WebSocket proxy)", await rate(() => storage.writeMetrics([message()]))]);
    console.log(`aggregator write path, one group of ${fmt(SERIES * PER)} fresh samples at a time (${GROUPS} groups each)\n`);
    console.log(`| step | samples/s | share of COPY |`);
    console.log(`| --- | ---: | ---: |`);
    for (const [what, r] of rows) console.log(`| ${what} | ${fmt(r)} | ${(r / copyRate).toFixed(2)} |`);
    console.log(`| COPY of the end-to-end rows (above) | ${fmt(copyRate)} | 1.00 |`);
  } finally {
    await handle.close().catch(() => {});
    await c.end().catch(() => {});
  }
}
