// `inferscope trace <request-id>`: everything stored about one request, its
// timeline, and the other records of its trace (retries and fallbacks).
import type { RequestDetailData } from "../../shared/contracts/log-api";
import { CliError } from "../errors";
import { paletteFor } from "../terminal/colour";
import { processIo, widthOf, type Io } from "../terminal/io";
import { ApiFailure, apiGet, commonHelp, parse, target } from "./api-client";
import { renderRecord, renderTimeline, renderTrace } from "./trace-view";

const HELP = `usage: inferscope trace <request-id> [--json]

Prints every field stored for the request, grouped; a timeline of its start,
first token and end; and the other records of its trace (retries, fallbacks)
in time order. Exits 1 when the tenant has no such request.
${commonHelp("query", "print the API's JSON document")}`;

export async function traceCommand(argv: string[], io: Io = processIo()): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help || positionals.length === 0) {
    io.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1) throw new CliError(`trace takes one request id (got ${positionals.length})`);
  const id = positionals[0];
  const t = target(values, "query", io.env);
  let data: RequestDetailData;
  try {
    data = (await apiGet<RequestDetailData>(t, `/requests/${encodeURIComponent(id)}`)).data;
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 404)) throw err;
    data = { request_id: id, records: [], trace: [], trace_truncated: false };
  }
  if (data.records.length === 0) {
    io.stderr.write(`inferscope trace: no request ${id} in this tenant\n`);
    return 1;
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return 0;
  }
  const p = paletteFor(io);
  const width = Math.max(20, Math.min(60, widthOf(io.stdout) - 50));
  const parts: string[] = [];
  data.records.forEach((r, i) => {
    if (data.records.length > 1) parts.push(p.bold(`── record ${i + 1} of ${data.records.length} with this id ──`) + "\n");
    parts.push(renderRecord(r, p), renderTimeline(r, width, p));
  });
  const others = data.trace.filter((r) => r.request_id !== id);
  if (others.length) parts.push(renderTrace(data.trace, id, Math.max(10, Math.min(40, widthOf(io.stdout) - 70)), p));
  else parts.push(p.dim(data.records[0].trace_id ? `no other records in trace ${data.records[0].trace_id}\n` : "no trace id: no related records\n"));
  io.stdout.write(parts.join("\n"));
  return 0;
}
