// The one client of an Inferscope server for the operator tools: where it is
// (--url / INFERSCOPE_URL) and which key to send (--key / INFERSCOPE_API_KEY),
// the admin API (/admin/v1: keys, tenants) and the Prometheus-style API
// (/api/v1: query, request logs), and every failure as one line the user can
// act on: unreachable, which key scope is missing, the API's own message.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "../errors";

export type KeyScope = "admin" | "query" | "ingest";

export interface ApiTarget {
  url: string;
  key: string;
  scope: KeyScope;
}

export const DEFAULT_URL = "http://127.0.0.1:8787";
const TIMEOUT_MS = 60_000;

export const COMMON_OPTIONS = {
  url: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

const SCOPE_WORDS: Record<KeyScope, string> = {
  admin: "an API key with the admin scope, or the bootstrap key",
  query: "an API key with the query scope",
  ingest: "an API key with the ingest scope",
};

export function commonHelp(scope: KeyScope, json = "print the API's JSON instead of a table"): string {
  return `options:
  --url URL    Inferscope base URL (env INFERSCOPE_URL, default ${DEFAULT_URL})
  --key KEY    ${SCOPE_WORDS[scope]} (env INFERSCOPE_API_KEY)
  --json       ${json}`;
}

export function parse<O extends ParseArgsConfig["options"]>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see --help)`);
  }
}

/** Prints help when asked for or when the required positional is missing; returns the exit code then, else null. */
export function helpExit(help: boolean | undefined, positional: string | undefined, text: string, out: { write(s: string): unknown } = process.stdout): number | null {
  if (!help && positional) return null;
  out.write(`${text}\n`);
  return help ? 0 : 2;
}

export function target(values: { url?: string; key?: string }, scope: KeyScope, env: Record<string, string | undefined> = process.env): ApiTarget {
  // An empty variable is as good as unset (INFERSCOPE_URL= in a shell).
  const url = (values.url ?? (env.INFERSCOPE_URL || DEFAULT_URL)).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/i.test(url)) throw new CliError(`--url takes an http(s) URL such as ${DEFAULT_URL} (not ${JSON.stringify(url)})`);
  const key = values.key ?? (env.INFERSCOPE_API_KEY || undefined);
  if (!key) throw new CliError(`no API key: pass --key or set INFERSCOPE_API_KEY (${SCOPE_WORDS[scope]})`);
  return { url, key, scope };
}

/** The server could not be reached at all (refused, DNS, timeout): worth retrying for a follower like tail. */
export class Unreachable extends CliError {}

/** The server answered with an error: its HTTP status and, for /api/v1, the errorType. */
export class ApiFailure extends CliError {
  constructor(message: string, readonly status: number, readonly errorType: string | null) {
    super(message);
  }
}

export { CliError as UsageError };

function unreachable(t: ApiTarget, err: unknown): Unreachable {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const why = e.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000}s` : (e.cause?.message ?? e.cause?.code ?? e.message);
  const hint = t.url === DEFAULT_URL ? " (is the local stack running? `npm start`; or pass --url / set INFERSCOPE_URL)" : " (check --url / INFERSCOPE_URL)";
  return new Unreachable(`cannot reach ${t.url}: ${why}${hint}`);
}

/** The message for a refusal: for 401/403, which key scope it takes. */
function refusal(t: ApiTarget, label: string, status: number, message: string, errorType: string | null): ApiFailure {
  let text = `${label}: HTTP ${status}${errorType ? ` ${errorType}` : ""}: ${message}`;
  if (status === 401) text += `; pass ${SCOPE_WORDS[t.scope]} with --key or INFERSCOPE_API_KEY`;
  if (status === 403) text += `; this needs ${SCOPE_WORDS[t.scope]}${t.scope === "admin" ? "" : ` (inferscope keys create --scopes ${t.scope})`}`;
  return new ApiFailure(text, status, errorType);
}

async function send(t: ApiTarget, method: string, path: string, body: string | undefined, signal?: AbortSignal) {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  try {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.key}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    return { res, text: await res.text() };
  } catch (err) {
    if (signal?.aborted) throw err;
    throw unreachable(t, err);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const notOurs = (t: ApiTarget, label: string, status: number, text: string) =>
  new ApiFailure(`${label}: HTTP ${status} with a body that is not Inferscope's JSON (is ${t.url} an Inferscope server?): ${text.slice(0, 200)}`, status, null);

/** The admin API: {status:"success", data} or {status:"error", error}. */
export async function adminCall<T>(t: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
  const label = `${method} /admin/v1${path}`;
  const { res, text } = await send(t, method, `/admin/v1${path}`, body === undefined ? undefined : JSON.stringify(body));
  const json = parseJson(text) as { status?: string; data?: T; error?: string } | undefined;
  if (!json || typeof json !== "object") throw notOurs(t, label, res.status, text);
  if (!res.ok || json.status !== "success") throw refusal(t, label, res.status, json.error ?? `HTTP ${res.status}`, null);
  return json.data as T;
}

export interface ApiResult<T> {
  data: T;
  warnings: string[];
}

export type Query = Record<string, string | number | undefined | null | string[]>;

export function queryString(params: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** GET on the Prometheus-style API: {status:"success", data, warnings} or {status:"error", errorType, error}. */
export async function apiGet<T>(t: ApiTarget, path: string, params: Query = {}, signal?: AbortSignal): Promise<ApiResult<T>> {
  const label = `GET /api/v1${path}`;
  const { res, text } = await send(t, "GET", `/api/v1${path}${queryString(params)}`, undefined, signal);
  const json = parseJson(text) as { status?: string; data?: T; warnings?: string[]; errorType?: string; error?: string } | undefined;
  if (!json || typeof json !== "object") throw notOurs(t, label, res.status, text);
  if (!res.ok || json.status !== "success") throw refusal(t, label, res.status, json.error ?? `HTTP ${res.status}`, json.errorType ?? null);
  return { data: json.data as T, warnings: json.warnings ?? [] };
}
