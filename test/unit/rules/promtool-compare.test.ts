// The contract for rule semantics is promtool's: every test file in
// test/unit/rules/promtool/ runs through the real `promtool test rules` (2.42)
// and through our runner, and both must pass or fail alike. Where the report
// does not quote a PromQL parse error (whose wording is the engine's), the
// reports must be byte for byte the same.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runRuleTests } from "../../../workers/query/rules/unit-test/index";
import { nodeTestFs } from "../../../workers/query/rules/unit-test/index";

const exec = promisify(execFile);
const dir = join(dirname(fileURLToPath(import.meta.url)), "promtool");
const files = readdirSync(dir).filter((f) => f.endsWith(".test.yml")).sort();
// Reports quoting the engine's parse-error wording or promtool's YAML line:column, which we do not reproduce.
const WORDING_DIFFERS = new Set(["broken_rules.test.yml", "problems_fail.test.yml"]);

async function promtool(file: string): Promise<{ code: number; out: string }> {
  // 2>&1 through a shell keeps promtool's interleaving of stdout and stderr.
  try {
    const r = await exec("sh", ["-c", `/usr/bin/promtool test rules "$0" 2>&1`, file], { cwd: dir });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: err.stdout };
  }
}

describe("promtool test rules and inferscope's runner agree", () => {
  it("has passing and failing files", () => {
    expect(files.filter((f) => f.includes("_pass")).length).toBeGreaterThanOrEqual(5);
    expect(files.filter((f) => !f.includes("_pass")).length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)("%s", async (file) => {
    const real = await promtool(file);
    const cwd = process.cwd();
    process.chdir(dir);
    let ours;
    try {
      ours = await runRuleTests(await nodeTestFs(), [file]);
    } finally {
      process.chdir(cwd);
    }
    const out = ours.chunks.map((c) => c.text).join("");
    expect(real.code === 0, real.out).toBe(file.includes("_pass"));
    expect(ours.passed, out).toBe(real.code === 0);
    if (!WORDING_DIFFERS.has(file)) expect(out).toBe(real.out);
    else expect(out).toContain("  FAILED:\n");
  });
});
