// The COPY baseline of bench:logs: the rows the pipeline stored, copied out and
// loaded back with COPY into a plain table of request_logs' columns and keys.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";

/** Logs/s of COPY FROM for the n rows of request_logs. */
export async function copyLogsBaseline(pgc: pg.Client, n: number): Promise<number> {
  await pgc.query("CREATE TABLE bench_copy (LIKE request_logs INCLUDING DEFAULTS INCLUDING INDEXES)");
  // The rows as COPY text, in memory, so only the load is timed.
  const chunks: Buffer[] = [];
  await pipeline(pgc.query(copyTo("COPY (SELECT * FROM request_logs) TO STDOUT")), async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) chunks.push(c);
  });
  const started = performance.now();
  await pipeline(Readable.from(chunks), pgc.query(copyFrom("COPY bench_copy FROM STDIN")));
  const rate = (n / (performance.now() - started)) * 1000;
  await pgc.query("DROP TABLE bench_copy");
  return rate;
}
