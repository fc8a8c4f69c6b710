// One line of a tailed log file -> a canonical record (RequestLogInput), through
// the shared adapters (shared/logs/adapters), the same ones the ingest worker
// uses; only the GIN access lines of Ollama's server log have their own parser.
import { adaptRecord, type AdaptResult, type LogFormat } from "../../../shared/logs/adapters";
import type { LogSourceConfig } from "../config";
import { parseGinLine } from "./ollama-log";

const ADAPTER: Record<Exclude<LogSourceConfig["format"], "ollama">, LogFormat> = {
  litellm: "litellm",
  jsonl: "mapped",
  canonical: "canonical",
  openai: "openai",
  ollama_response: "ollama",
};

/**
 * The record of a line, a problem naming the field, or null for a line that is
 * not a record at all (not JSON; a GIN line of a health poll). `fallbackId`
 * serves lines without an id of their own.
 */
export function lineRecord(line: string, cfg: LogSourceConfig, fallbackId: string): AdaptResult | null {
  if (cfg.format === "ollama") {
    const record = parseGinLine(line, cfg, fallbackId);
    return record && { ok: true, record, sources: {} };
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const result = adaptRecord(ADAPTER[cfg.format], value, { fallbackId, mapping: cfg });
  if (result.ok && cfg.provider) result.record.provider = cfg.provider; // the file's provider wins over the line's
  return result;
}
