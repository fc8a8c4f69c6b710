// A scratch database for benchmarks: BENCH_DATABASE_URL when set, else a fresh
// one on the local Postgres, migrated, dropped afterwards.
import pg from "pg";
import { applyMigrations } from "./migrate";

export interface BenchDb {
  url: string;
  drop(): Promise<void>;
}

export async function benchDatabase(tag: string): Promise<BenchDb> {
  if (process.env.BENCH_DATABASE_URL) {
    await applyMigrations(process.env.BENCH_DATABASE_URL);
    return { url: process.env.BENCH_DATABASE_URL, drop: async () => {} };
  }
  const admin = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `inferscope_bench_${tag}_${process.pid}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
