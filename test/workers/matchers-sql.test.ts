// The SQL a label matcher becomes must select exactly the series the engine's
// RE2 matcher accepts (or, for a residual, a superset it then re-checks).
// Checked on real Postgres over label values that stress the differences.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import pg from "pg";
import { PgDialect } from "drizzle-orm/pg-core";
import { planMatchers } from "../../shared/storage/postgres/matchers";
import { matchesAll } from "../../workers/query/promql";
import type { LabelMatcher } from "../../shared/storage/types";

const VALUES = ["", "a", "abc", "a.c", "a\nb", "\n", "llama3", "LLAMA3", "x|y", "x", "y", "gpu-1", "gpu-10", "a b"];
let client: pg.Client;
const dialect = new PgDialect();

beforeAll(async () => {
  client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  await client.query("CREATE TEMP TABLE s (id int, metric_name text, labels jsonb)");
  let id = 0;
  for (const v of VALUES) await client.query("INSERT INTO s VALUES ($1, 'm', $2)", [id++, JSON.stringify(v === "" ? {} : { k: v })]);
});
afterAll(async () => {
  await client?.end();
});

async function selected(m: LabelMatcher): Promise<{ sql: string[]; residual: boolean }> {
  const plan = planMatchers([m]);
  const q = dialect.sqlToQuery(plan.where);
  const res = await client.query(`SELECT s.labels->>'k' AS v FROM s WHERE ${q.sql}`, q.params);
  return { sql: res.rows.map((r) => r.v ?? "").sort(), residual: plan.residual.length > 0 };
}

describe("matchers in SQL", () => {
  const cases: LabelMatcher[] = [
    { name: "k", type: "=", value: "a" }, { name: "k", type: "=", value: "" }, { name: "k", type: "!=", value: "" },
    { name: "k", type: "=~", value: ".*" }, { name: "k", type: "=~", value: ".+" }, { name: "k", type: "!~", value: ".*" }, { name: "k", type: "!~", value: ".+" },
    { name: "k", type: "=~", value: "x|y" }, { name: "k", type: "!~", value: "x|y" }, { name: "k", type: "=~", value: "x\\|y" }, { name: "k", type: "=~", value: "a.c" },
    { name: "k", type: "=~", value: "gpu-1.*" }, { name: "k", type: "=~", value: "(?i)llama3" }, { name: "k", type: "=~", value: "a\\sb" }, { name: "k", type: "=~", value: "" },
  ];
  for (const m of cases) {
    it(`${m.name}${m.type}${JSON.stringify(m.value)}`, async () => {
      const { sql, residual } = await selected(m);
      const exact = VALUES.filter((v) => matchesAll(v === "" ? {} : { k: v }, [m])).sort();
      if (residual) for (const v of exact) expect(sql).toContain(v);
      else expect(sql).toEqual(exact);
    });
  }
});
