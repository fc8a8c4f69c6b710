// Any JSON-lines log through a declared field mapping: each canonical field
// from a dotted path in the line, numbers optionally scaled (a duration in
// seconds to ms: scale 1000), numeric times in a declared unit, the status
// from declared success values. Fields of the line that no mapping took are
// kept in attributes (unless `unmapped: drop`), as are the listed paths.
import { MAX_ERROR_MESSAGE_LENGTH, type RequestLogInput } from "../record";
import { fitAttributes } from "./fit-attributes";
import type { AdaptOptions, AdaptResult, CanonicalField, FieldSources } from "./types";
import {
  AdaptError, absent, bool, count, fail, getPath, isObject, kindOf, nonNegative, number, text, unixMs, type Json, type TimeUnit,
} from "./values";

/** The fields a mapping can fill: every field of the canonical record but attributes. */
export const MAPPED_FIELDS = [
  "request_id", "trace_id", "time", "end_time", "latency_ms", "ttft_ms", "model", "requested_model", "provider", "api_base",
  "deployment_id", "call_type", "stream", "status", "http_status", "error_type", "error_class", "error_message",
  "input_tokens", "output_tokens", "total_tokens", "cached_tokens", "cost_usd", "cache_hit", "user", "end_user", "team",
  "team_alias", "api_key_alias", "api_key_hash", "project", "environment", "tags",
] as const satisfies readonly CanonicalField[];
export type MappedField = (typeof MAPPED_FIELDS)[number];

export const TIME_UNITS = ["s", "ms", "us", "ns"] as const satisfies readonly TimeUnit[];

/** Where a field comes from: a dotted path, or a path and a factor applied to the number found there. */
export type FieldSource = string | { path: string; scale?: number };

export interface MappedSpec {
  fields: Partial<Record<MappedField, FieldSource>>;
  /** How numeric time and end_time are encoded. Strings are parsed as RFC 3339. */
  time_unit: TimeUnit;
  /** Values of the status field that mean success; any other value is a failure. */
  success_values: ReadonlyArray<string | number | boolean>;
  /** Paths copied into attributes under their path, mapped or not. */
  attributes: readonly string[];
  /** Fields no mapping took: kept in attributes (the default) or dropped. */
  unmapped: "keep" | "drop";
}

const NUMBER_FIELDS = ["latency_ms", "ttft_ms", "cost_usd"] as const;
const COUNT_FIELDS = ["input_tokens", "output_tokens", "total_tokens", "cached_tokens"] as const;
const TEXT_FIELDS = [
  "trace_id", "model", "requested_model", "provider", "api_base", "deployment_id", "call_type", "error_type", "error_class",
  "user", "end_user", "team", "team_alias", "api_key_alias", "api_key_hash", "project", "environment",
] as const;

const pathOf = (src: FieldSource) => (typeof src === "string" ? src : src.path);

export function adaptMapped(value: unknown, spec: MappedSpec, opts: AdaptOptions = {}): AdaptResult {
  if (!isObject(value)) return { ok: false, problem: { field: "(record)", reason: `expected a JSON object per line, got ${kindOf(value)}` } };
  try {
    return { ok: true, ...map(value, spec, opts) };
  } catch (err) {
    if (err instanceof AdaptError) {
      const id = spec.fields.request_id && getPath(value, pathOf(spec.fields.request_id));
      return { ok: false, problem: err.problem, id: typeof id === "string" ? id : undefined };
    }
    throw err;
  }
}

function map(line: Json, spec: MappedSpec, opts: AdaptOptions): { record: RequestLogInput; sources: FieldSources } {
  const sources: FieldSources = {};
  /** The raw value of a field, scaled when its source says so; `field` names it for problems. */
  const get = (f: MappedField): { v: unknown; field: string } | undefined => {
    const src = spec.fields[f];
    if (src === undefined) return undefined;
    const field = pathOf(src);
    sources[f] = field;
    const v = getPath(line, field);
    if (typeof src === "string" || src.scale === undefined || absent(v)) return { v, field };
    return { v: number(v, field)! * src.scale, field };
  };
  const timeOf = (f: "time" | "end_time") => {
    const got = get(f);
    return got && unixMs(got.v, spec.time_unit, got.field);
  };

  const id = get("request_id");
  const time = timeOf("time");
  const r: RequestLogInput = {
    request_id: (id && text(id.v, id.field)) ?? opts.fallbackId ?? fail(id?.field ?? "request_id", "required: the request id"),
    time: time === undefined ? fail(spec.fields.time ? pathOf(spec.fields.time) : "time", `required: the request's start, unix ${spec.time_unit} or RFC 3339`) : Math.round(time),
  };
  const end = timeOf("end_time");
  if (end !== undefined) r.end_time = Math.round(end);
  for (const f of TEXT_FIELDS) {
    const got = get(f);
    const s = got && text(got.v, got.field);
    if (s !== undefined) r[f] = s;
  }
  if (r.provider === undefined && opts.provider) r.provider = opts.provider;
  for (const f of NUMBER_FIELDS) {
    const got = get(f);
    const n = got && nonNegative(got.v, got.field);
    if (n !== undefined) r[f] = n;
  }
  for (const f of COUNT_FIELDS) {
    const got = get(f);
    // A scaled count (thousands of tokens) may come out fractional: round it.
    const n = got && count(typeof spec.fields[f] === "object" && typeof got.v === "number" ? Math.round(got.v) : got.v, got.field);
    if (n !== undefined) r[f] = n;
  }
  for (const f of ["stream", "cache_hit"] as const) {
    const got = get(f);
    const b = got && bool(got.v, got.field);
    if (b !== undefined) r[f] = b;
  }
  const http = get("http_status");
  if (http && !absent(http.v)) {
    const n = number(http.v, http.field, "an HTTP status 100-599");
    if (n === undefined || !Number.isInteger(n) || n < 100 || n > 599) fail(http.field, `expected an HTTP status 100-599, got ${String(http.v)}`);
    r.http_status = n;
  }
  const status = get("status");
  if (status && !absent(status.v)) r.status = spec.success_values.includes(status.v as string | number | boolean) ? "success" : "failure";
  const message = get("error_message");
  const m = message && text(message.v, message.field);
  if (m !== undefined) r.error_message = m.slice(0, MAX_ERROR_MESSAGE_LENGTH);
  const tags = get("tags");
  if (tags && !absent(tags.v)) r.tags = tagList(tags.v, tags.field);

  r.attributes = fitAttributes(attributesOf(line, spec));
  return { record: r, sources };
}

/** A list of strings, or one comma-separated string. */
function tagList(v: unknown, field: string): string[] {
  if (typeof v === "string") return v.split(",").map((t) => t.trim()).filter(Boolean);
  if (!Array.isArray(v)) return fail(field, `expected a list of strings or a comma-separated string, got ${kindOf(v)}`);
  return v.map((t, i) => text(t, `${field}[${i}]`)).filter((t): t is string => t !== undefined);
}

function attributesOf(line: Json, spec: MappedSpec): Json {
  const listed: Json = {};
  for (const a of spec.attributes) {
    const v = getPath(line, a);
    if (v !== undefined) listed[a] = v;
  }
  if (spec.unmapped === "drop") return listed;
  const taken = [...Object.values(spec.fields).map((src) => pathOf(src!)), ...spec.attributes];
  return { ...without(line, taken), ...listed };
}

/** `obj` without the values at `paths` (copying only what changes), objects left empty removed, nulls left out. */
function without(obj: Json, paths: readonly string[]): Json {
  const out: Json = {};
  for (const k of Object.keys(obj)) if (obj[k] !== null && obj[k] !== undefined) out[k] = obj[k];
  const byHead = new Map<string, string[]>();
  for (const p of paths) {
    const dot = p.indexOf(".");
    const head = dot < 0 ? p : p.slice(0, dot);
    if (dot < 0) delete out[head];
    else if (isObject(out[head])) byHead.set(head, [...(byHead.get(head) ?? []), p.slice(dot + 1)]);
  }
  for (const [head, tails] of byHead) {
    if (!isObject(out[head])) continue;
    const inner = without(out[head] as Json, tails);
    if (Object.keys(inner).length > 0) out[head] = inner;
    else delete out[head];
  }
  return out;
}
