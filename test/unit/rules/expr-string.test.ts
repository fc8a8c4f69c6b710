// Expressions printed as Prometheus prints them: a real Prometheus 2.42 loads
// a rule file of many expression forms and /api/v1/rules shows each rule's
// query; canonicalExpr must print the same text.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalExpr } from "../../../workers/query/rules/expr-string";
import { parseRuleFile } from "../../../workers/query/rules/rule-file";

const rulesPath = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "expressions.yml");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("canonicalExpr against a real Prometheus", () => {
  let proc: ReturnType<typeof spawn>;
  let queries: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "prom-"));
    writeFileSync(join(dir, "rules.yml"), readFileSync(rulesPath));
    writeFileSync(join(dir, "prometheus.yml"), "global: {evaluation_interval: 1h}\nrule_files: [rules.yml]\n");
    const port = await freePort();
    proc = spawn("/usr/bin/prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/rules`);
        const body = (await r.json()) as { data: { groups: { rules: { query: string }[] }[] } };
        queries = body.data.groups.flatMap((g) => g.rules.map((x) => x.query));
        if (queries.length) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => {
    proc?.kill();
  });

  it("prints every rule's expression as Prometheus does", () => {
    const ours = parseRuleFile(readFileSync(rulesPath, "utf8"), "expressions.yml").groups.flatMap((g) => g.rules.map((r) => canonicalExpr(r.expr)));
    expect(queries.length).toBe(4);
    expect(ours).toEqual(queries);
  });

  it("leaves text that does not parse as it is", () => {
    expect(canonicalExpr(" sum( ")).toBe("sum(");
  });
});
