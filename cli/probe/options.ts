// The flags every `inferscope probe` subcommand takes: which endpoint, key and
// model, what to send (prompts, max tokens, streaming), how long to wait, and
// where to report the requests (--report-to). Parsed once, checked with a
// message that names the flag and what it takes.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ParseArgsConfig } from "node:util";
import { CliError } from "../errors";
import { numberFlag } from "../terminal/number-args";
import { parseDurationFlag } from "../terminal/time-args";
import { parse, target, type ApiTarget } from "../commands/api-client";
import { MAX_LOG_TEXT_LENGTH } from "../../shared/logs/record";
import { apiBase, type ChatMessage, type CompletionRequest } from "./openai-client";
import { SYNTHETIC_ENVIRONMENT } from "./to-log-record";

export const PROBE_OPTIONS = {
  endpoint: { type: "string" },
  "api-key": { type: "string" },
  model: { type: "string" },
  prompt: { type: "string", multiple: true },
  "prompt-file": { type: "string" },
  "max-tokens": { type: "string", default: "64" },
  stream: { type: "boolean" },
  "no-stream": { type: "boolean" },
  timeout: { type: "string", default: "60s" },
  "report-to": { type: "string" },
  environment: { type: "string" },
  "ca-file": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

export const DEFAULT_PROMPT = "Reply with one short sentence about the sea.";

export const PROBE_HELP = `endpoint:
  --endpoint URL      the OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (env OPENAI_BASE_URL; /v1 is added when the URL has no /vN)
  --api-key KEY       sent as Authorization: Bearer (env INFERSCOPE_PROBE_API_KEY, then OPENAI_API_KEY)
  --ca-file PATH      PEM certificate(s) to trust for an https endpoint with a private CA or a self-signed certificate
  --model M           the model to ask for (default: the first one GET /v1/models lists)
request:
  --prompt TEXT       a user message; repeat for a prompt set (default ${JSON.stringify(DEFAULT_PROMPT)})
  --prompt-file PATH  one prompt per line, or JSON lines of {"prompt": ...} or {"messages": [...]}
  --max-tokens N      max_tokens of each request (default 64)
  --stream / --no-stream  stream (SSE, the default: only then is TTFT known) or not
  --timeout D         per request, e.g. 30s (default 60s)
output:
  --json              one JSON document on stdout instead of tables
  --report-to URL     also send each request to this Inferscope as a request log tagged "synthetic"
  --environment ENV   the reported records' environment (default "synthetic", so dashboards can leave them out)
  --key KEY           an ingest key for --report-to (env INFERSCOPE_API_KEY)`;

export interface Prompt {
  messages: ChatMessage[];
}

export interface ProbeSettings {
  endpoint: string;
  apiKey: string | undefined;
  model: string | undefined;
  prompts: Prompt[];
  maxTokens: number;
  stream: boolean;
  timeoutMs: number;
  json: boolean;
  reportTo: ApiTarget | null;
  /** The environment of reported records (--environment); default "synthetic". */
  environment: string;
  /** PEM of --ca-file. */
  ca: string | undefined;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** Parses a subcommand's argv: the common probe flags plus its own. */
export function parseProbeArgs<O extends ParseArgsConfig["options"]>(argv: string[], own: O) {
  const parsed = parse(argv, { ...PROBE_OPTIONS, ...own });
  // api-client's common options include --url; a probe has two URLs, so neither is "the" one.
  if ((parsed.values as Values).url !== undefined) throw new CliError("probe takes --endpoint URL (the model server) and --report-to URL (Inferscope), not --url");
  return parsed;
}

/** A whole number within bounds (the shared numberFlag), or a message naming the flag. */
export function intFlag(raw: string | undefined, flag: string, min: number, max?: number): number {
  const n = numberFlag(raw, flag, { min, max, integer: true });
  if (n === undefined) throw new CliError(`--${flag} needs a value`);
  return n;
}

export async function probeSettings(v: Values, env: Record<string, string | undefined>): Promise<ProbeSettings> {
  const endpointRaw = (v.endpoint as string | undefined) ?? (env.OPENAI_BASE_URL || undefined);
  if (!endpointRaw) throw new CliError("no endpoint: pass --endpoint URL (an OpenAI-compatible base URL such as http://127.0.0.1:8000/v1) or set OPENAI_BASE_URL");
  let endpoint: string;
  try {
    endpoint = apiBase(endpointRaw);
  } catch (e) {
    throw new CliError(`--endpoint: ${(e as Error).message}`);
  }
  if (v.stream && v["no-stream"]) throw new CliError("--stream and --no-stream contradict each other: pass one");
  const maxTokens = intFlag(v["max-tokens"] as string, "max-tokens", 1, 1_000_000);
  const timeoutMs = parseDurationFlag(v.timeout as string, "timeout");
  if (timeoutMs <= 0) throw new CliError(`--timeout must be more than 0 (not ${JSON.stringify(v.timeout)})`);
  const prompts = await promptSet(v.prompt as string[] | undefined, v["prompt-file"] as string | undefined);
  const ca = await caFile(v["ca-file"] as string | undefined);
  const model = v.model as string | undefined;
  if (model !== undefined && model.trim() === "") throw new CliError("--model is empty: name a model, or leave it out to use the first one the endpoint lists");
  const reportRaw = v["report-to"] as string | undefined;
  // The ingest key: --key, else INFERSCOPE_API_KEY, checked the way every operator tool checks it.
  const reportTo = reportRaw === undefined ? null : target({ url: reportRaw, key: v.key as string | undefined }, "ingest", env);
  if (reportRaw === undefined && v.key !== undefined) throw new CliError("--key is the Inferscope key for --report-to; the endpoint's key is --api-key");
  const environment = v.environment as string | undefined;
  if (environment !== undefined && reportRaw === undefined) throw new CliError("--environment names the reported records' environment: it needs --report-to URL");
  if (environment !== undefined && !environment.trim()) throw new CliError('--environment is empty: name one (e.g. staging), or leave it out for "synthetic"');
  if (environment !== undefined && environment.length > MAX_LOG_TEXT_LENGTH) throw new CliError(`--environment is ${environment.length} characters long; at most ${MAX_LOG_TEXT_LENGTH}`);
  return {
    endpoint,
    apiKey: (v["api-key"] as string | undefined) ?? (env.INFERSCOPE_PROBE_API_KEY || env.OPENAI_API_KEY || undefined),
    model,
    prompts,
    maxTokens,
    stream: !v["no-stream"],
    timeoutMs,
    json: v.json === true,
    reportTo,
    environment: environment?.trim() ?? SYNTHETIC_ENVIRONMENT,
    ca,
  };
}

async function caFile(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(`--ca-file ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new CliError(`--ca-file ${path}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`);
  return pem;
}

async function promptSet(flags: string[] | undefined, file: string | undefined): Promise<Prompt[]> {
  const out: Prompt[] = (flags ?? []).map((p) => ({ messages: [{ role: "user", content: p }] }));
  if (file !== undefined) out.push(...(await promptFile(file)));
  return out.length ? out : [{ messages: [{ role: "user", content: DEFAULT_PROMPT }] }];
}

async function promptFile(path: string): Promise<Prompt[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(`--prompt-file ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  const prompts: Prompt[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.trim();
    if (!s) return;
    if (!s.startsWith("{")) return void prompts.push({ messages: [{ role: "user", content: s }] });
    let j: { prompt?: unknown; messages?: unknown };
    try {
      j = JSON.parse(s);
    } catch (e) {
      throw new CliError(`--prompt-file ${path} line ${i + 1}: not JSON (${(e as Error).message}); a line starting with { must be {"prompt": "..."} or {"messages": [...]}`);
    }
    if (typeof j.prompt === "string") return void prompts.push({ messages: [{ role: "user", content: j.prompt }] });
    const ok = Array.isArray(j.messages) && j.messages.length > 0 && j.messages.every((m) => typeof m?.role === "string" && typeof m?.content === "string");
    if (!ok) throw new CliError(`--prompt-file ${path} line ${i + 1}: expected {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}`);
    prompts.push({ messages: j.messages as ChatMessage[] });
  });
  if (!prompts.length) throw new CliError(`--prompt-file ${path} has no prompts (one per line)`);
  return prompts;
}

/** The i-th request of a run: the prompt set in turn. */
export function requestAt(s: ProbeSettings, model: string, i: number): CompletionRequest {
  return { model, messages: s.prompts[i % s.prompts.length].messages, maxTokens: s.maxTokens, stream: s.stream };
}

/** Names a prompt set in an export, so regress can tell when two runs sent different prompts. */
export const promptSetId = (prompts: Prompt[]) => createHash("sha256").update(JSON.stringify(prompts)).digest("hex").slice(0, 16);
