// `inferscope analyze`: errors, performance and usage over a time range, from
// the server's log API (/api/v1/requests/summary and /errors), or over a local
// log file with no server at all (--file), with exact quantiles.
import type { ErrorGroupsData, SummaryData } from "../../shared/contracts/log-api";
import { DIM_KEYS, type DimKey } from "../../shared/logs/rollup-spec";
import { CliError } from "../errors";
import { paletteFor } from "../terminal/colour";
import { formatCount } from "../terminal/format";
import { nowOf, processIo, type Io } from "../terminal/io";
import { numberFlag } from "../terminal/number-args";
import { apiTime, parseTimeFlag } from "../terminal/time-args";
import { FILE_FORMATS, type FileFormat } from "./analyze-adapt";
import { readLogFile } from "./analyze-file";
import { errorGroups, matches, summarize, type LocalFilter } from "./analyze-local";
import { renderReport, type AnalyzeReport } from "./analyze-report";
import { apiGet, commonHelp, parse, target } from "./api-client";
import { checkStatus } from "./tail";

const HELP = `usage: inferscope analyze [--start 1h] [--end now] [--by model] [filters] [--json]
       inferscope analyze --file PATH [--format auto] [--by model] [filters] [--json]

Errors (top error groups), performance (latency p50/p95/p99, TTFT, output
tokens/s) and usage (requests, tokens, cost) per group.
  --start T    from: a duration ago (1h), RFC 3339 or unix seconds (default 1h; with --file: the first record)
  --end T      to (default now; with --file: the last record)
  --by DIMS    group by, comma-separated: ${DIM_KEYS.join(", ")} (default model)
  --top N      error groups to show (default 10)
  --model M  --provider P  --status success|failure  --team T  --project P  --environment E  --user U
with no server:
  --file PATH  a JSON-lines file (or a JSON array) of request logs; bad lines are counted, not fatal
  --format F   ${FILE_FORMATS.join(" | ")} (default auto: LiteLLM by startTime, canonical by request_id and time)
${commonHelp("query", "print one JSON document {source, summary, errors}")}`;

const FILTER_KEYS = ["model", "provider", "status", "team", "project", "environment", "user"] as const;

function parseBy(raw: string): DimKey[] {
  const by = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = by.filter((b) => !(DIM_KEYS as readonly string[]).includes(b));
  if (!by.length || bad.length) throw new CliError(`--by takes a comma-separated list of ${DIM_KEYS.join(", ")}${bad.length ? ` (not: ${bad.join(", ")})` : ""}`);
  return by as DimKey[];
}

export async function analyzeCommand(argv: string[], io: Io = processIo()): Promise<number> {
  const { values, positionals } = parse(argv, {
    start: { type: "string" },
    end: { type: "string" },
    by: { type: "string", default: "model" },
    top: { type: "string" },
    file: { type: "string" },
    format: { type: "string", default: "auto" },
    ...Object.fromEntries(FILTER_KEYS.map((k) => [k, { type: "string" as const }])) as Record<(typeof FILTER_KEYS)[number], { type: "string" }>,
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new CliError(`analyze takes no arguments (got ${JSON.stringify(positionals[0])}); a file is --file PATH`);
  const by = parseBy(values.by);
  const top = numberFlag(values.top, "top", { min: 1, integer: true, fallback: 10 });
  checkStatus(values.status);
  const now = nowOf(io);
  const start = values.start === undefined ? undefined : parseTimeFlag(values.start, "start", now);
  const end = values.end === undefined ? undefined : parseTimeFlag(values.end, "end", now);
  if (start !== undefined && end !== undefined && start >= end) throw new CliError("--start must be before --end");
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, values[k]]).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const p = paletteFor(io);

  let report: AnalyzeReport;
  if (values.file !== undefined) {
    if (!(FILE_FORMATS as readonly string[]).includes(values.format)) throw new CliError(`--format takes ${FILE_FORMATS.join(", ")} (not ${JSON.stringify(values.format)})`);
    const file = await readLogFile(values.file, values.format as FileFormat);
    const errs = paletteFor(io, "stderr");
    if (file.bad) {
      io.stderr.write(`${errs.yellow(`${formatCount(file.bad)} of ${formatCount(file.records)} records in ${values.file} skipped:`)}\n`);
      for (const pr of file.problems) io.stderr.write(`  ${pr.where}: ${pr.reason}\n`);
      if (file.bad > file.problems.length) io.stderr.write(`  … and ${formatCount(file.bad - file.problems.length)} more\n`);
    }
    if (!file.rows.length) {
      io.stderr.write(`inferscope analyze: no valid records in ${values.file}\n`);
      return 1;
    }
    const rows = file.rows.filter((r) => matches(r, { ...(filters as LocalFilter), start, end }));
    const times = file.rows.map((r) => r.time);
    const range = { start: start ?? Math.min(...times), end: end ?? Math.max(...times) };
    const formats = Object.entries(file.formats).map(([f, n]) => `${formatCount(n)} ${f}`).join(", ");
    report = {
      source: `${values.file}: ${formatCount(file.records)} records (${formats}${file.bad ? `; ${formatCount(file.bad)} skipped` : ""})${rows.length < file.rows.length ? `, ${formatCount(rows.length)} in range and filters` : ""}; exact quantiles`,
      summary: summarize(rows, by, range),
      errors: errorGroups(rows),
    };
    if (values.json) {
      const source = { file: values.file, records: file.records, skipped: file.bad, problems: file.problems, formats: file.formats, analysed: rows.length };
      io.stdout.write(`${JSON.stringify({ source, summary: report.summary, errors: report.errors }, null, 2)}\n`);
      return 0;
    }
  } else {
    const t = target(values, "query", io.env);
    const params = { start: apiTime(start ?? now - 3_600_000), end: apiTime(end ?? now), ...filters };
    const [summary, errors] = await Promise.all([
      apiGet<SummaryData>(t, "/requests/summary", { ...params, by: by.join(",") }),
      apiGet<ErrorGroupsData>(t, "/requests/errors", { ...params, limit: top }),
    ]);
    for (const w of [...summary.warnings, ...errors.warnings]) io.stderr.write(`warning: ${w}\n`);
    report = { source: `${t.url} (quantiles estimated from the rollups' histogram buckets)`, summary: summary.data, errors: errors.data };
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ source: { url: t.url }, summary: report.summary, errors: report.errors }, null, 2)}\n`);
      return 0;
    }
  }
  io.stdout.write(renderReport(report, { top, palette: p }));
  return 0;
}
