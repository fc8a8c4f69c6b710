// Agent configuration: YAML on disk, validated with zod, so a typo fails at
// start-up with "file: path: reason" instead of at 3 a.m. as a silent gap.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parseDocument } from "yaml";
import { z } from "zod";
import { LABEL_NAME_RE } from "../../shared/labels";
import { MAPPED_FIELDS, TIME_UNITS } from "../../shared/logs/adapters";

export class ConfigError extends Error {}

const DURATION_RE = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;

/** "15s", "1m30s", "500ms", "2h", or a bare number of seconds. Returns ms. */
export function parseDuration(v: string | number): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : null;
  const m = DURATION_RE.exec(v.trim());
  if (!m || v.trim() === "") return null;
  const [, h, min, s, ms] = m;
  return (Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000 + Number(ms ?? 0);
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "512MiB", "2GB", "1048576". */
export function parseBytes(v: string | number): number | null {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(v.trim());
  if (!m) return null;
  const unit = BYTE_UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}

const duration = (min = 0) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null) {
      ctx.addIssue({ code: "custom", message: `invalid duration ${JSON.stringify(v)}: use e.g. "15s", "500ms", "1m"` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: "custom", message: `duration ${JSON.stringify(v)} is below the minimum of ${min}ms` });
      return z.NEVER;
    }
    return ms;
  });

const bytes = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseBytes(v);
  if (n === null) {
    ctx.addIssue({ code: "custom", message: `invalid size ${JSON.stringify(v)}: use e.g. "512MiB", "2GB" or a byte count` });
    return z.NEVER;
  }
  return n;
});

const labelSet = z.record(
  z.string().regex(LABEL_NAME_RE, "label name must match [a-zA-Z_][a-zA-Z0-9_]*").refine((n) => !n.startsWith("__"), "label names starting with __ are reserved"),
  z.string(),
);

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");

/** A scrape target: a full URL, or host:port (http, /metrics assumed, as in Prometheus). */
const target = z.string().transform((s, ctx) => {
  const withScheme = /^https?:\/\//.test(s) ? s : `http://${s}`;
  try {
    const u = new URL(withScheme);
    if (u.pathname === "/" && !s.endsWith("/")) u.pathname = "/metrics";
    return u.toString();
  } catch {
    ctx.addIssue({ code: "custom", message: `invalid target ${JSON.stringify(s)}: use host:port or a URL` });
    return z.NEVER;
  }
});

const scrapeJob = z.strictObject({
  job: z.string().min(1),
  targets: z.array(target).min(1),
  interval: duration(100).optional(),
  timeout: duration(10).optional(),
  labels: labelSet.default({}),
  headers: z.record(z.string(), z.string()).default({}),
  /** Prometheus's honor_labels: keep scraped labels that clash with target labels. */
  honor_labels: z.boolean().default(false),
});

const ollamaTarget = z.strictObject({
  url: httpUrl,
  job: z.string().min(1).default("ollama"),
  interval: duration(100).optional(),
  timeout: duration(10).optional(),
  labels: labelSet.default({}),
});

const nvidiaSmi = z.strictObject({
  path: z.string().min(1).default("nvidia-smi"),
  job: z.string().min(1).default("nvidia-smi"),
  interval: duration(100).optional(),
  timeout: duration(10).optional(),
  labels: labelSet.default({}),
});

/** Where a log-record field comes from in a JSON line: a dotted path, optionally scaled. */
const fieldSource = z.union([
  z.string().min(1),
  z.strictObject({ path: z.string().min(1), scale: z.number().optional() }),
]);

/**
 * How a log file's lines are read, each through the shared adapters
 * (shared/logs/adapters): litellm (StandardLoggingPayload), jsonl (any JSON
 * lines through `fields`), canonical (our /v1/logs record), openai (responses
 * with usage), ollama_response (Ollama's response stats), ollama (GIN access lines).
 */
export const LOG_SOURCE_FORMATS = ["litellm", "jsonl", "canonical", "openai", "ollama_response", "ollama"] as const;

const logSource = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "name may use letters, digits, _ . - only").optional(),
    path: z.string().min(1),
    format: z.enum(LOG_SOURCE_FORMATS),
    /** jsonl only: a canonical field -> dotted path in the line. */
    fields: z.partialRecord(z.enum(MAPPED_FIELDS), fieldSource).default({}),
    /** How "time" and "end_time" are encoded when they are numbers. Strings are parsed as RFC 3339. */
    time_unit: z.enum(TIME_UNITS).default("ms"),
    /** Values of the status field that mean success (anything else is a failure). */
    success_values: z.array(z.union([z.string(), z.number(), z.boolean()])).default(["success", "ok", true]),
    /** Paths copied verbatim into attributes. */
    attributes: z.array(z.string()).default([]),
    /** jsonl only: fields of a line that no mapping took are kept in attributes, or dropped. */
    unmapped: z.enum(["keep", "drop"]).default("keep"),
    /** ollama only: which request paths count as requests (health polls do not). */
    paths: z.array(z.string()).default(["/api/chat", "/api/generate", "/api/embed", "/api/embeddings", "/v1/chat/completions", "/v1/completions", "/v1/embeddings"]),
    /** ollama only: GIN prints local time without a zone. */
    utc: z.boolean().default(false),
    /** The provider of every record of this file, whatever the lines say. */
    provider: z.string().optional(),
    poll_interval: duration(10).default(1000),
  })
  .superRefine((v, ctx) => {
    if (v.format !== "jsonl" && Object.keys(v.fields).length > 0)
      ctx.addIssue({ code: "custom", path: ["fields"], message: `fields applies to format "jsonl" only` });
    if (v.format === "jsonl" && v.fields.time === undefined)
      ctx.addIssue({ code: "custom", path: ["fields", "time"], message: `format "jsonl" needs fields.time: the path of the request's start time in a line` });
  });

/**
 * A synthetic check (issue 10): a tiny chat completion sent on schedule to an
 * OpenAI-compatible endpoint, so availability and time to first token are
 * measured when no user is sending traffic. Exported as llm_probe_* series.
 */
const probe = z
  .strictObject({
    /** Names the probe in logs and in the `probe` label; default from the endpoint and model. */
    name: z.string().regex(/^[a-zA-Z0-9_.:-]+$/, "name may use letters, digits, _ . : - only").optional(),
    /** The OpenAI base URL (http://host:8000/v1); without a /vN path, /v1 is added. */
    endpoint: httpUrl,
    model: z.string().min(1, "model is required: the model name the endpoint serves"),
    prompt: z.string().min(1).default("Reply with the single word: ok"),
    /** Kept small: the check measures the path, it should not load the GPU. */
    max_tokens: z.number().int().min(1).max(4096).default(8),
    /** Streaming (the default) is what gives the time to first token. */
    stream: z.boolean().default(true),
    interval: duration(1000).default(60_000),
    timeout: duration(100).default(10_000),
    api_key: z.string().optional(),
    api_key_file: z.string().optional(),
    job: z.string().min(1).default("llm_probe"),
    labels: labelSet.default({}),
  })
  .superRefine((v, ctx) => {
    if (v.api_key !== undefined && v.api_key_file !== undefined)
      ctx.addIssue({ code: "custom", path: ["api_key_file"], message: "set api_key or api_key_file, not both" });
    if (v.timeout > v.interval)
      ctx.addIssue({ code: "custom", path: ["timeout"], message: `timeout (${v.timeout}ms) is longer than the interval (${v.interval}ms): a probe would still be running when the next is due` });
    for (const reserved of ["target", "model", "probe", "job", "instance"])
      if (reserved in v.labels) ctx.addIssue({ code: "custom", path: ["labels", reserved], message: `label ${JSON.stringify(reserved)} is set by the probe itself` });
  });

const schema = z.strictObject({
  data_dir: z.string().min(1),
  endpoint: z.strictObject({
    url: httpUrl,
    api_key: z.string().optional(),
    api_key_file: z.string().optional(),
    timeout: duration(100).default(30_000),
  }).refine((e) => e.api_key !== undefined || e.api_key_file !== undefined, "set api_key or api_key_file"),
  labels: labelSet.default({}),
  self: z.strictObject({
    listen: z.string().default("127.0.0.1:9465"),
  }).default({ listen: "127.0.0.1:9465" }),
  log_level: z.enum(["debug", "info", "warn", "error"]).default("info"),
  defaults: z.strictObject({
    interval: duration(100).default(15_000),
    timeout: duration(10).default(10_000),
  }).default({ interval: 15_000, timeout: 10_000 }),
  delivery: z.strictObject({
    queue_max_bytes: bytes.default(512 * 1024 ** 2),
    max_series_per_batch: z.number().int().min(1).max(50_000).default(5_000),
    max_logs_per_batch: z.number().int().min(1).max(50_000).default(5_000),
    backoff_min: duration(1).default(500),
    backoff_max: duration(1).default(60_000),
    /** Ceiling on a server's Retry-After, so a bad header cannot stall us for days. */
    retry_after_max: duration(1).default(5 * 60_000),
    metadata_interval: duration(0).default(60_000),
  }).default({
    queue_max_bytes: 512 * 1024 ** 2, max_series_per_batch: 5_000, max_logs_per_batch: 5_000,
    backoff_min: 500, backoff_max: 60_000, retry_after_max: 5 * 60_000, metadata_interval: 60_000,
  }),
  scrape: z.array(scrapeJob).default([]),
  ollama: z.array(ollamaTarget).default([]),
  nvidia_smi: nvidiaSmi.optional(),
  logs: z.array(logSource).default([]),
  probes: z.array(probe).default([]),
});

export type AgentConfigInput = z.input<typeof schema>;
export type AgentConfig = Omit<z.output<typeof schema>, "probes"> & { apiKey: string; configPath: string; probes: ProbeConfig[] };
export type LogSourceConfig = z.output<typeof logSource>;
/** A probe as configured, with its key read (from api_key with ${VAR} expanded, or api_key_file). */
export type ProbeConfig = z.output<typeof probe> & { name: string; apiKey?: string };

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out || "(top level)";
}

/** Replaces ${VAR} with the environment value, so keys can live in an EnvironmentFile. */
function expandEnv(s: string, where: string): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = process.env[name];
    if (v === undefined) throw new ConfigError(`${where}: environment variable ${name} is not set`);
    return v;
  });
}

export function parseConfig(text: string, file: string): AgentConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(`${file}: invalid YAML: ${doc.errors[0].message}`);
  const raw: unknown = doc.toJS();
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    // zod wraps a bad record key as "Invalid key in record"; the inner issue says why.
    const reason = (i: z.core.$ZodIssue): string =>
      i.code === "invalid_key" && i.issues.length > 0 ? i.issues.map((x) => x.message).join("; ") : i.message;
    const lines = parsed.error.issues.map((i) => `${file}: ${formatPath(i.path)}: ${reason(i)}`);
    throw new ConfigError(lines.join("\n"));
  }
  const cfg = parsed.data;
  const listen = splitHostPort(cfg.self.listen);
  if (!listen) throw new ConfigError(`${file}: self.listen: expected host:port, got ${JSON.stringify(cfg.self.listen)}`);
  let apiKey: string;
  if (cfg.endpoint.api_key !== undefined) apiKey = expandEnv(cfg.endpoint.api_key, `${file}: endpoint.api_key`);
  else {
    try {
      apiKey = readFileSync(cfg.endpoint.api_key_file!, "utf8").trim();
    } catch (e) {
      throw new ConfigError(`${file}: endpoint.api_key_file: cannot read ${cfg.endpoint.api_key_file}: ${(e as Error).message}`);
    }
  }
  if (apiKey === "") throw new ConfigError(`${file}: endpoint: the API key is empty`);
  const names = new Set<string>();
  cfg.logs.forEach((l, i) => {
    l.name ??= l.path.replace(/[^a-zA-Z0-9_.-]/g, "_");
    if (names.has(l.name)) throw new ConfigError(`${file}: logs[${i}].name: duplicate log source name ${JSON.stringify(l.name)}`);
    names.add(l.name);
  });
  const probeNames = new Set<string>();
  const probes = cfg.probes.map((p, i): ProbeConfig => {
    const where = `${file}: probes[${i}]`;
    const name = p.name ?? `${new URL(p.endpoint).host}/${p.model}`;
    if (probeNames.has(name)) throw new ConfigError(`${where}.name: duplicate probe name ${JSON.stringify(name)}${p.name ? "" : " (the default, endpoint host and model: set name to tell them apart)"}`);
    probeNames.add(name);
    let key: string | undefined;
    if (p.api_key !== undefined) key = expandEnv(p.api_key, `${where}.api_key`);
    else if (p.api_key_file !== undefined) {
      try {
        key = readFileSync(p.api_key_file, "utf8").trim();
      } catch (e) {
        throw new ConfigError(`${where}.api_key_file: cannot read ${p.api_key_file}: ${(e as Error).message}`);
      }
      if (key === "") throw new ConfigError(`${where}.api_key_file: ${p.api_key_file} is empty`);
    }
    return { ...p, name, ...(key !== undefined ? { apiKey: key } : {}) };
  });
  return { ...cfg, probes, apiKey, configPath: file };
}

export function loadConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${file}: cannot read config: ${(e as Error).message}`);
  }
  return parseConfig(text, file);
}

export function splitHostPort(s: string): { host: string; port: number } | null {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  const host = m[1] === "" ? "127.0.0.1" : m[1];
  if (host !== "localhost" && isIP(host) === 0) return null;
  return { host, port };
}
