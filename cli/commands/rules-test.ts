// `inferscope rules test <file>...`: promtool's rule unit-test files run on
// Inferscope's own evaluator and engine. Output and exit codes as
// `promtool test rules`: "Unit Testing:  <file>", then SUCCESS or FAILED: with
// the differences on stderr; exit 1 when any file fails, 0 when all pass.
import { nodeTestFs, runRuleTests } from "../../workers/query/rules/unit-test/index";
import { CliError } from "../errors";

const USAGE = `usage: inferscope rules test <test-file>...

Runs unit tests for rules, in promtool's test-file format (rule_files,
evaluation_interval, group_eval_order, tests with input_series,
alert_rule_test and promql_expr_test), on Inferscope's rule evaluator.
`;

async function exists(path: string): Promise<boolean> {
  const { stat } = await import("node:fs/promises");
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function rulesTestCommand(args: string[], out: { stdout: (s: string) => void; stderr: (s: string) => void } = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
}): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    out.stdout(USAGE);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith("-"));
  if (unknown) throw new CliError(`unknown flag ${unknown}\n\n${USAGE}`);
  if (args.length === 0) throw new CliError(`give at least one test file\n\n${USAGE}`);
  // As promtool (kingpin's ExistingFiles): a missing path is refused before any test runs, exit 1.
  const fs = await nodeTestFs();
  for (const f of args) {
    if (!(await exists(f))) {
      out.stderr(`inferscope rules test: path '${f}' does not exist, try --help\n`);
      return 1;
    }
  }
  const report = await runRuleTests(fs, args);
  for (const c of report.chunks) (c.stream === "stdout" ? out.stdout : out.stderr)(c.text);
  return report.passed ? 0 : 1;
}
