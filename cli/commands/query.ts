// `inferscope query '<promql>'`: an instant query as a table, or with --range /
// --start a range query drawn as one small chart per series.
import { CliError } from "../errors";
import { paletteFor } from "../terminal/colour";
import { nowOf, processIo, widthOf, type Io } from "../terminal/io";
import { numberFlag } from "../terminal/number-args";
import { parseDurationFlag, parseTimeFlag } from "../terminal/time-args";
import { apiGet, commonHelp, parse, target } from "./api-client";
import { renderInstant, renderRange, type QueryData } from "./query-view";

const HELP = `usage: inferscope query '<promql>' [--time T] [--json]
       inferscope query '<promql>' --range 1h [--step 1m] [--end T] [--json]
       inferscope query '<promql>' --start T [--end T] [--step D] [--json]

An instant query prints a table of series and values; a range query prints a
small chart per series (y axis min/max, time axis) with a legend.
  --time T        evaluation time of an instant query (default now)
  --range D       a range query over the last D (up to --end)
  --start/--end T range bounds: now, a duration ago (1h), RFC 3339 or unix seconds
  --step D        resolution (default: one point per chart column)
  --max-series N  charts to draw (default 8; --json has them all)
  --height N      rows per chart (default 6)
${commonHelp("query", "print the API's data document ({resultType, result})")}`;

const seconds = (ms: number) => String(ms / 1000);

export async function queryCommand(argv: string[], io: Io = processIo()): Promise<number> {
  const { values, positionals } = parse(argv, {
    time: { type: "string" },
    range: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    step: { type: "string" },
    "max-series": { type: "string" },
    height: { type: "string" },
  });
  if (values.help || positionals.length === 0) {
    io.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1) throw new CliError(`query takes one PromQL expression; quote it: inferscope query 'sum(rate(llm_requests_total[5m]))'`);
  const query = positionals[0];
  const maxSeries = numberFlag(values["max-series"], "max-series", { min: 1, max: 1000, integer: true, fallback: 8 });
  const height = numberFlag(values.height, "height", { min: 1, max: 40, integer: true, fallback: 6 });
  const isRange = values.range !== undefined || values.start !== undefined;
  if (!isRange && (values.end !== undefined || values.step !== undefined)) throw new CliError("--end and --step are for range queries: add --range D or --start T");
  if (isRange && values.time !== undefined) throw new CliError("--time is for instant queries; a range query takes --range/--start and --end");
  if (values.range !== undefined && values.start !== undefined) throw new CliError("give --range or --start, not both");
  const now = nowOf(io);
  const t = target(values, "query", io.env);
  const p = paletteFor(io);

  if (!isRange) {
    const time = values.time === undefined ? now : parseTimeFlag(values.time, "time", now);
    const { data, warnings } = await apiGet<QueryData>(t, "/query", { query, time: seconds(time) });
    for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
    io.stdout.write(values.json ? `${JSON.stringify(data)}\n` : renderInstant(data));
    return 0;
  }
  const endMs = values.end === undefined ? now : parseTimeFlag(values.end, "end", now);
  const startMs = values.start !== undefined ? parseTimeFlag(values.start, "start", now) : endMs - parseDurationFlag(values.range!, "range");
  if (!(startMs < endMs)) throw new CliError("the range is empty: --start must be before --end (and --range longer than 0)");
  const width = Math.max(20, widthOf(io.stdout) - 12);
  // By default one point per chart column, in whole seconds.
  const stepMs = values.step !== undefined ? parseDurationFlag(values.step, "step") : Math.max(1000, Math.ceil((endMs - startMs) / (width - 1) / 1000) * 1000);
  if (stepMs <= 0) throw new CliError("--step must be longer than 0");
  const { data, warnings } = await apiGet<QueryData>(t, "/query_range", { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) });
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  io.stdout.write(values.json ? `${JSON.stringify(data)}\n` : renderRange(data, { startMs, endMs, stepMs, width, height, maxSeries }, p));
  return 0;
}
