// The file `probe latency --export` writes and `probe regress` reads: a
// versioned JSON document with the run's settings, its summary and every
// request. A reader refuses another kind or a newer version by name, so a CI
// job fails loudly instead of comparing the wrong figures.
import { readFile, writeFile } from "node:fs/promises";
import { CliError } from "../errors";
import { METRICS, type RunSummary, type Sample } from "./stats";

export const EXPORT_KIND = "inferscope-probe-latency";
export const EXPORT_VERSION = 1;

export interface LatencyExport {
  kind: typeof EXPORT_KIND;
  version: typeof EXPORT_VERSION;
  /** RFC 3339. */
  created: string;
  endpoint: string;
  model: string;
  /** prompt_set: the first 16 hex digits of the SHA-256 of the prompts, to tell whether two runs sent the same ones. */
  settings: { iterations: number; warmup: number; stream: boolean; max_tokens: number; prompts: number; prompt_set: string };
  /** Quantiles by linear interpolation between closest ranks (see cli/probe/stats.ts). */
  quantile_method: "linear";
  summary: RunSummary;
  samples: Sample[];
}

export async function writeExport(path: string, doc: LatencyExport): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`);
  } catch (e) {
    throw new CliError(`--export ${path}: ${(e as Error).message}`);
  }
}

export async function readExport(path: string, flag: string): Promise<LatencyExport> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(`--${flag} ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let doc: Partial<LatencyExport>;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--${flag} ${path}: not JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== "object" || doc.kind !== EXPORT_KIND)
    throw new CliError(`--${flag} ${path}: not a probe latency export (expected "kind": "${EXPORT_KIND}", as \`inferscope probe latency --export FILE\` writes)`);
  if (typeof doc.version !== "number" || doc.version > EXPORT_VERSION)
    throw new CliError(`--${flag} ${path}: export version ${JSON.stringify(doc.version)}; this inferscope reads version ${EXPORT_VERSION} (upgrade it to read newer exports)`);
  const s = doc.summary as Partial<RunSummary> | undefined;
  const missing = !s ? "summary" : METRICS.find((m) => !s[m] || typeof s[m] !== "object");
  if (missing) throw new CliError(`--${flag} ${path}: has no ${missing === "summary" ? "summary" : `summary.${missing}`}; the file is cut off or edited`);
  return doc as LatencyExport;
}
