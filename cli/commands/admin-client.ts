// A small client of the admin API, shared by `inferscope keys` and `inferscope tenants`.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "../errors";

export interface AdminTarget {
  url: string;
  key: string;
}

export const COMMON_OPTIONS = {
  url: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

export const COMMON_HELP = `options:
  --url URL    Inferscope base URL (env INFERSCOPE_URL, default http://127.0.0.1:8787)
  --key KEY    an API key with the admin scope, or the bootstrap key (env INFERSCOPE_API_KEY)
  --json       print the API's JSON instead of a table`;

export function parse<O extends ParseArgsConfig["options"]>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** Prints help when asked for or when no subcommand is given; returns the exit code then, else null. */
export function helpExit(help: boolean | undefined, sub: string | undefined, text: string): number | null {
  if (!help && sub) return null;
  process.stdout.write(`${text}\n`);
  return help ? 0 : 2;
}

export function target(values: { url?: string; key?: string }): AdminTarget {
  const url = (values.url ?? process.env.INFERSCOPE_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
  const key = values.key ?? process.env.INFERSCOPE_API_KEY;
  if (!key) throw new CliError("no API key: pass --key or set INFERSCOPE_API_KEY (an admin-scope key or the bootstrap key)");
  return { url, key };
}

export { CliError as UsageError };

export async function call<T>(t: AdminTarget, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${t.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${t.key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(`cannot reach ${t.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: { status?: string; data?: T; error?: string };
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok || json.status !== "success") throw new CliError(`${method} ${path}: HTTP ${res.status}: ${json.error ?? text.slice(0, 200)}`);
  return json.data as T;
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? "-" : Array.isArray(r[c]) ? (r[c] as unknown[]).join(",") : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join("\n") + "\n";
}
