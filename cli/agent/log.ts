// JSON-lines logger on stderr: one object per line so journald/Loki can parse it
// without a regex, and stdout stays free for subcommands that print results.
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let minLevel: Level = (process.env.INFERSCOPE_LOG_LEVEL as Level) in ORDER ? (process.env.INFERSCOPE_LOG_LEVEL as Level) : "info";

export function setLogLevel(level: Level): void {
  minLevel = level;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[minLevel]) return;
  const rec: Record<string, unknown> = { ts: new Date().toISOString(), level, msg, ...fields };
  let line: string;
  try {
    line = JSON.stringify(rec, (_k, v) => (v instanceof Error ? v.message : typeof v === "bigint" ? String(v) : v));
  } catch {
    line = JSON.stringify({ ts: rec.ts, level, msg });
  }
  process.stderr.write(line + "\n");
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
