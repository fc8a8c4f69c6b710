// The end-to-end ingest measurement that bench:ingest and bench:remote-write
// share: post the bodies, wait until every sample is a row, and break the run
// down: how fast ingest answered, how long the aggregator's group writes took
// (from its debug log line per group, which startStack({ logLevel: "debug" })
// turns on and this swallows), and the CPU each component used per 1k samples
// (workerd: ingest, outbox, queue and aggregator on one thread; Postgres
// backends of the database; this Node process: the benchmark client and the
// database's WebSocket proxy). CPU per sample is what a loaded machine changes
// least: compare those figures across runs rather than samples/s alone.
import pg from "pg";
import { sampleCpu } from "./process-cpu";

interface Written {
  groups: number;
  parts: number;
  rows: number;
  ms: number;
}

/** Counts the aggregator's "written" debug lines on stdout (and keeps them off the terminal) until `stop`. */
function watchAggregator(): { stop(): Written } {
  const w: Written = { groups: 0, parts: 0, rows: 0, ms: 0 };
  const write = process.stdout.write.bind(process.stdout);
  const scan = (text: string) => {
    let kept = "";
    for (const line of text.split(/(?<=\n)/)) {
      const at = line.indexOf('{"level":"debug","worker":"aggregator","msg":"written"');
      if (at < 0) {
        kept += line;
        continue;
      }
      try {
        const j = JSON.parse(line.slice(at)) as { parts: number; written: number; ms: number };
        w.groups++;
        w.parts += j.parts;
        w.rows += j.written;
        w.ms += j.ms;
      } catch {
        kept += line;
      }
    }
    return kept;
  };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const kept = scan(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return kept === "" ? true : (write as (c: string, ...r: unknown[]) => boolean)(kept, ...rest);
  }) as typeof process.stdout.write;
  return {
    stop() {
      process.stdout.write = write;
      return w;
    },
  };
}

export interface EndToEnd {
  acceptedMs: number;
  storedMs: number;
  samples: number;
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

/** Runs `post`, waits until `samples` rows are in samples, and prints the breakdown table. */
export async function measureEndToEnd(databaseUrl: string, samples: number, accepted: string, post: () => Promise<void>): Promise<EndToEnd> {
  const pgc = new pg.Client({ connectionString: databaseUrl });
  await pgc.connect();
  const watch = watchAggregator();
  const cpu = sampleCpu(new URL(databaseUrl).pathname.slice(1));
  let written: Written;
  let used: ReturnType<typeof cpu.stop>;
  const started = performance.now();
  let acceptedAt: number;
  try {
    await post();
    acceptedAt = performance.now();
    for (;;) {
      const { rows } = await pgc.query<{ n: number }>("SELECT count(*)::int AS n FROM samples");
      if (rows[0].n >= samples) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    used = cpu.stop();
    written = watch.stop();
    await pgc.end().catch(() => {});
  }
  const stored = performance.now();
  const per1k = (ms: number) => fmt((ms / samples) * 1000, 2);
  console.log(`| what | samples/s | seconds | note |`);
  console.log(`| --- | ---: | ---: | --- |`);
  console.log(`| ${accepted} | ${fmt((samples / (acceptedAt - started)) * 1000)} | ${fmt((acceptedAt - started) / 1000, 2)} | |`);
  console.log(`| all rows in Postgres (end to end) | ${fmt((samples / (stored - started)) * 1000)} | ${fmt((stored - started) / 1000, 2)} | |`);
  if (written.groups > 0)
    console.log(`| aggregator group writes, one at a time | ${fmt((written.rows / written.ms) * 1000)} | ${fmt(written.ms / 1000, 2)} | ${written.groups} groups, ${fmt(written.parts / written.groups, 1)} parts and ${fmt(written.rows / written.groups)} rows a group (summed wall ms; up to 4 run at once) |`);
  if (used) {
    console.log(`\nCPU per 1k samples (ms): workerd ${per1k(used.workerdMs)} · Postgres backends ${per1k(used.postgresMs)} · this Node process (client + DB proxy) ${per1k(used.nodeMs)}`);
  }
  return { acceptedMs: acceptedAt - started, storedMs: stored - started, samples };
}
