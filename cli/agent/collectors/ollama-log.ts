// Ollama's server log has one GIN access line per HTTP request:
//   [GIN] 2026/11/22 - 10:01:02 | 200 |  1.234567s |   127.0.0.1 | POST     "/api/chat"
// It carries no model or tokens, but it is enough for request rate, errors and
// latency on hosts where Ollama is the only server.
import type { RequestLogInput } from "../../../shared/logs/record";

const GIN_RE =
  /\[GIN\] (\d{4})\/(\d{2})\/(\d{2}) - (\d{2}):(\d{2}):(\d{2}) \|\s*(\d{3})\s*\|\s*(\S+)\s*\|\s*(\S+)\s*\|\s*([A-Z]+)\s+"([^"]*)"/;
// GIN colours its output when attached to a terminal; journald captures may keep the codes.
const ANSI_RE = /\x1b\[[0-9;]*m/g;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|µs|μs|us|ns|h|m|s)/g; // two-letter units first
const UNIT_MS: Record<string, number> = { h: 3600_000, m: 60_000, s: 1000, ms: 1, "µs": 1e-3, "μs": 1e-3, us: 1e-3, ns: 1e-6 };

/** Go's time.Duration.String() form ("1m2.5s", "850µs") in ms. */
export function parseGoDuration(s: string): number | null {
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(DURATION_PART_RE)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : null;
}

export interface GinOptions {
  paths: readonly string[];
  /** GIN prints local time without a zone; true when the server runs in UTC. */
  utc: boolean;
}

/** A record for request lines on the configured paths; null for anything else. */
export function parseGinLine(line: string, opts: GinOptions, requestId: string): RequestLogInput | null {
  if (!line.includes("[GIN]")) return null;
  const m = GIN_RE.exec(line.includes("\x1b") ? line.replace(ANSI_RE, "") : line);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, code, dur, client, method, rawPath] = m;
  const path = rawPath.split("?")[0];
  if (!opts.paths.includes(path)) return null;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const time = opts.utc ? Date.UTC(...parts) : new Date(...parts).getTime();
  const status = Number(code);
  const latency = parseGoDuration(dur);
  const rec: RequestLogInput = {
    request_id: requestId,
    time,
    provider: "ollama",
    status: status >= 400 ? "failure" : "success",
    http_status: status >= 100 && status <= 599 ? status : undefined,
    attributes: { method, path, client },
  };
  if (latency !== null) rec.latency_ms = latency;
  if (status >= 400) rec.error_type = `http_${status}`;
  if (rec.http_status === undefined) delete rec.http_status;
  return rec;
}
