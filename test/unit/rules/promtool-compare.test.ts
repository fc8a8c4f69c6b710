// The contract for rule semantics is promtool's: every test file in
// test/unit/rules/promtool/ runs through the real `promtool test rules` (2.42)
// and through our runner, and both must pass or fail alike. Where the report
// does not quote a PromQL parse error (whose wording is the engine's), the
// reports must be byte for byte the same.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nodeTestFs, runRuleTests } from "../../../workers/query/rules/unit-test/index";

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
    // Our runner sees the same relative paths promtool saw from its working directory.
    const disk = await nodeTestFs();
    const fs = {
      readFile: (p: string) => disk.readFile(isAbsolute(p) ? p : join(dir, p)),
      glob: async (p: string) => (await disk.glob(isAbsolute(p) ? p : join(dir, p))).map((m) => (isAbsolute(p) ? m : relative(dir, m))),
    };
    const ours = await runRuleTests(fs, [file]);
    const out = ours.chunks.map((c) => c.text).join("");
    expect(real.code === 0, real.out).toBe(file.includes("_pass"));
    expect(ours.passed, out).toBe(real.code === 0);
    if (!WORDING_DIFFERS.has(file)) expect(out).toBe(real.out);
    else expect(out).toContain("  FAILED:\n");
  });
});
