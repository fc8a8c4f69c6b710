// Reads a local request-log file for `analyze --file`: JSON lines, a JSON
// array, or one JSON object. Each record goes through an adapter, the
// canonical schema and the normaliser, exactly as at ingest. Bad records are
// counted and the first few reported with where they are; they never stop the rest.
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { RequestLogSchema, type LogRow } from "../../shared/logs/record";
import { normalizeRecord } from "../../shared/logs/normalize";
import { CliError } from "../errors";
import { adapterFor, detectFormat, isProblem, type FileFormat, type RecordFormat } from "./analyze-adapt";

export interface FileProblem {
  /** "line 12" in a JSON-lines file, "item 3" in an array. */
  where: string;
  reason: string;
}

export interface FileRecords {
  rows: LogRow[];
  /** Records attempted (blank lines skipped). */
  records: number;
  bad: number;
  problems: FileProblem[];
  /** How many records each format was read as. */
  formats: Partial<Record<RecordFormat, number>>;
}

/** One record through adapter, schema and normaliser: the row, or why not. */
export function readRecord(value: unknown, format: FileFormat): { row: LogRow; format: RecordFormat } | { reason: string } {
  const fmt = format === "auto" ? detectFormat(value) : format;
  if (!fmt) return { reason: "cannot tell its format (LiteLLM: startTime; canonical: request_id and time; OpenAI: usage; Ollama: eval_count): pass --format" };
  const adapted = adapterFor(fmt)(value);
  if (isProblem(adapted)) return { reason: `${adapted.problem.field}: ${adapted.problem.reason}` };
  const parsed = RequestLogSchema.safeParse(adapted);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: `${issue.path.join(".") || "(record)"}: ${issue.message}${fmt === "canonical" ? "" : ` (after mapping it as ${fmt})`}` };
  }
  return { row: normalizeRecord(parsed.data), format: fmt };
}

class Collector {
  readonly out: FileRecords = { rows: [], records: 0, bad: 0, problems: [], formats: {} };
  constructor(private readonly format: FileFormat, private readonly maxProblems: number) {}
  problem(where: string, reason: string) {
    this.out.bad++;
    if (this.out.problems.length < this.maxProblems) this.out.problems.push({ where, reason });
  }
  value(where: string, value: unknown) {
    this.out.records++;
    const r = readRecord(value, this.format);
    if ("reason" in r) return this.problem(where, r.reason);
    this.out.rows.push(r.row);
    this.out.formats[r.format] = (this.out.formats[r.format] ?? 0) + 1;
  }
  text(where: string, line: string) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      this.out.records++;
      return this.problem(where, `not JSON (${(e as Error).message})`);
    }
    this.value(where, value);
  }
}

async function firstChar(path: string): Promise<string> {
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${path}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  try {
    const buf = Buffer.alloc(4096);
    for (let pos = 0; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return "";
      const m = /\S/.exec(buf.toString("utf8", 0, bytesRead));
      if (m) return m[0];
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

export async function readLogFile(path: string, format: FileFormat, maxProblems = 5): Promise<FileRecords> {
  const c = new Collector(format, maxProblems);
  const first = await firstChar(path);
  if (first === "[") {
    // A JSON array (LiteLLM's generic_api json_array body saved to a file).
    let items: unknown;
    try {
      items = JSON.parse(await readFile(path, "utf8"));
    } catch (e) {
      throw new CliError(`${path} starts with "[" but is not one JSON array: ${(e as Error).message}`);
    }
    (items as unknown[]).forEach((v, i) => c.value(`item ${i + 1}`, v));
    return c.out;
  }
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let n = 0;
  let firstLine: string | null = null;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    if (firstLine === null) firstLine = line;
    c.text(`line ${n}`, line);
  }
  // One pretty-printed object is not JSON lines: read the file as that one record instead.
  if (first === "{" && c.out.rows.length === 0 && firstLine !== null && !isJson(firstLine)) {
    const whole = await readFile(path, "utf8");
    if (isJson(whole)) {
      const one = new Collector(format, maxProblems);
      one.value("the file's one object", JSON.parse(whole));
      return one.out;
    }
  }
  return c.out;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
