// Hostile JSON for /v1/metrics and /v1/logs: one valid item with one hostile
// mutation (type swaps, huge numbers, NUL, lone surrogates, deep nesting, long
// strings, odd unicode, duplicate keys) beside a valid marker item; or the
// whole body mutated at the byte level (truncation, flips), without markers.
import type { Companion } from "./fuzz-case";
import { flipBits, truncate, type Rand } from "./rand";

// Raw JSON tokens JSON.stringify cannot write: placed as strings, then unquoted.
const RAW = ["1e309", "-1e309", "1e-400", "9007199254740993", "-0", "1E+2", "123456789012345678901234567890", "0.1e1"];
const rawToken = (t: string) => `@@raw:${t}@@`;
const unquoteRaw = (text: string) => text.replace(/"@@raw:([^@]*)@@"/g, (_, raw: string) => raw.replace(/\\"/g, '"'));

/** Nesting 10 to 10,000 deep, as a raw token (JSON.stringify itself would overflow the stack). */
function deep(r: Rand): string {
  const depth = r.pick([10, 100, 1000, 2500, 5000, 10_000]);
  return rawToken(r.chance(0.5) ? "[".repeat(depth) + "1" + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth));
}

/** A value of some other JSON type, or an extreme one. */
function hostileValue(r: Rand): unknown {
  return r.weighted<() => unknown>([
    [3, () => rawToken(r.pick(RAW))],
    [2, () => r.pick([null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 31, 2 ** 63])],
    [2, () => r.pick(["", "NaN", "+Inf", "-Inf", "Inf", "nan", "1", "x".repeat(r.pick([2049, 5000, 100_000]))])],
    [3, () => r.oddString()],
    [1, () => []],
    [1, () => ({})],
    [1, () => [1, 2, 3]],
    [2, () => deep(r)],
  ])();
}

type Obj = Record<string, unknown>;

/** Sets a hostile value at a random place of `item` (a top field, or one level down). */
function mutateItem(r: Rand, item: Obj): { item: Obj; dupKey?: string } {
  const out: Obj = JSON.parse(JSON.stringify(item));
  const keys = Object.keys(out);
  const action = r.weighted<string>([[5, "field"], [3, "nested"], [1, "extra"], [1, "drop"], [1, "dup"]]);
  if (action === "field") out[r.pick(keys)] = hostileValue(r);
  else if (action === "nested") {
    const k = r.pick(keys.filter((x) => typeof out[x] === "object" && out[x] !== null));
    const inner = out[k] as Obj | unknown[];
    if (Array.isArray(inner)) inner[r.int(0, inner.length)] = hostileValue(r);
    else (inner as Obj)[r.chance(0.5) ? r.oddString(6) : r.pick(Object.keys(inner).concat("k"))] = hostileValue(r);
  } else if (action === "extra") out[r.chance(0.5) ? r.oddString(6) : "unknown_field"] = hostileValue(r);
  else if (action === "drop") delete out[r.pick(keys)];
  else return { item: out, dupKey: r.pick(keys) };
  return { item: out };
}

function withDuplicate(json: string, key: string): string {
  // Repeat the key inside the first item: {"k":..., ...} -> {"k":"dup", "k":..., ...}
  return json.replace(/\[\{/, `[{${JSON.stringify(key)}:"dup",`);
}

export interface JsonBody {
  body: string | Uint8Array;
  companions: Companion[];
  what: string;
}

/** A hostile /v1/metrics body (structured: with a marker; bytes: without). */
export function metricsBody(r: Rand, marker: string, now: number): JsonBody {
  const t = now - r.int(1_000, 60_000);
  const valid: Obj = { name: r.pick(["fz_metric", "fz:metric_total", "vllm:num_requests_running"]), labels: { job: "fuzz", i: String(r.int(0, 9)) }, samples: [[t, r.int(0, 100)]], type: "gauge", help: "fuzz" };
  const markerItem = { name: marker, labels: { fuzz: "marker" }, samples: [[t, 1]] };
  if (r.chance(0.75)) {
    const { item, dupKey } = mutateItem(r, valid);
    const hostileFirst = r.chance(0.5);
    const series = hostileFirst ? [item, markerItem] : [markerItem, item];
    let text = unquoteRaw(JSON.stringify({ series }));
    if (dupKey && hostileFirst) text = withDuplicate(text, dupKey);
    return { body: text, companions: [{ kind: "series", id: marker, path: `series[${hostileFirst ? 1 : 0}]` }], what: `metrics item ${text.slice(0, 160)}` };
  }
  const text = JSON.stringify({ series: [valid] });
  return { body: bytesMutation(r, text), companions: [], what: "metrics body, byte-level mutation" };
}

/** A hostile /v1/logs body. */
export function logsBody(r: Rand, marker: string, now: number): JsonBody {
  const t = now - r.int(1_000, 60_000);
  const valid: Obj = {
    request_id: `fz-${r.int(0, 1e9)}`, time: t, model: "llama3", provider: "vllm", http_status: 200, latency_ms: 12.5, ttft_ms: 3,
    input_tokens: 10, output_tokens: 20, cost_usd: 0.001, attributes: { user: "u1", tags: ["a", "b"], n: 1 },
  };
  const markerItem = { request_id: marker, time: t + 1, model: "marker" };
  if (r.chance(0.75)) {
    const { item, dupKey } = mutateItem(r, valid);
    const hostileFirst = r.chance(0.5);
    const logs = hostileFirst ? [item, markerItem] : [markerItem, item];
    let text = unquoteRaw(JSON.stringify({ logs }));
    if (dupKey && hostileFirst) text = withDuplicate(text, dupKey);
    return { body: text, companions: [{ kind: "log", id: marker, path: `logs[${hostileFirst ? 1 : 0}]` }], what: `logs item ${text.slice(0, 160)}` };
  }
  return { body: bytesMutation(r, JSON.stringify({ logs: [valid] })), companions: [], what: "logs body, byte-level mutation" };
}

function bytesMutation(r: Rand, text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  return r.weighted<() => Uint8Array>([
    [3, () => truncate(r, bytes)],
    [3, () => flipBits(r, bytes, r.int(1, 8))],
    [1, () => new Uint8Array([...bytes, ...bytes])],
    [1, () => new Uint8Array([0xef, 0xbb, 0xbf, ...bytes])],
    [1, () => r.bytes(r.int(0, 200))],
  ])();
}
