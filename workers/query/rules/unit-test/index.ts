// `inferscope rules test` and CI's comparison with promtool: runs promtool's
// rule unit-test files on our evaluator, on Node (files from disk).
import { runRuleTests, type Report, type TestFs } from "./run";

export { runRuleTests, type Report, type TestFs } from "./run";

interface NodeFs {
  readFile(path: string, enc: "utf8"): Promise<string>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<unknown>;
}

// A non-literal specifier: the workers' tsconfig has no Node types, and this module only runs on Node.
const FS_MODULE: string = "node:fs/promises";

function globRegex(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += "[" + pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The TestFs of the local disk: filepath.Glob semantics for the final path element. */
export async function nodeTestFs(): Promise<TestFs> {
  const fs = (await import(FS_MODULE)) as NodeFs;
  return {
    readFile: (p) => fs.readFile(p, "utf8"),
    async glob(pattern) {
      if (!/[*?[]/.test(pattern)) {
        try {
          await fs.stat(pattern);
          return [pattern];
        } catch {
          return [];
        }
      }
      const slash = pattern.lastIndexOf("/");
      const dir = slash < 0 ? "." : pattern.slice(0, slash) || "/";
      const re = globRegex(pattern.slice(slash + 1));
      try {
        return (await fs.readdir(dir))
          .filter((n) => re.test(n))
          .sort()
          .map((n) => (slash < 0 ? n : `${pattern.slice(0, slash)}/${n}`));
      } catch {
        return [];
      }
    },
  };
}

/** Runs the test files as `promtool test rules` does; `output` is its stdout and stderr in order. */
export async function runRuleTestFiles(files: string[]): Promise<{ passed: boolean; output: string }> {
  const report: Report = await runRuleTests(await nodeTestFs(), files);
  return { passed: report.passed, output: report.chunks.map((c) => c.text).join("") };
}
