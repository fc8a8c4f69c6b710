// A quick yes to "is this record valid?" for the log tail's hot path. zod's
// safeParse of RequestLogSchema cost ~3 µs and ~7 KB of garbage per record
// (the output copy, per-field results), most of the agent's young-generation
// GC at 1,000 lines/s. The check here is compiled once from the schema's own
// definition (so it cannot drift from it) and answers only "certainly valid";
// anything it does not fully understand (a string time, an unknown key, a
// check kind it does not know) answers "ask zod", which then decides and says
// why. So it may send a valid record to zod, never an invalid one past it.
import type { z } from "zod";

type Check = (v: unknown) => boolean;

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: Record<string, unknown> } }>;
  innerType?: { _zod: { def: Def } };
  options?: Array<{ _zod: { def: Def } }>;
  element?: { _zod: { def: Def } };
  keyType?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
  entries?: Record<string, unknown>;
  shape?: Record<string, { _zod: { def: Def } }>;
  catchall?: { _zod: { def: Def } };
  format?: unknown;
  coerce?: unknown;
}

const NO: Check = () => false;

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** One check of a number or string, or null when its kind is not known here. */
function checkOf(c: Record<string, unknown>, kind: "number" | "string" | "array"): ((v: never) => boolean) | null {
  const n = c.value as number;
  switch (c.check) {
    case "min_length":
      return kind === "number" ? null : (v: string | unknown[]) => v.length >= (c.minimum as number);
    case "max_length":
      return kind === "number" ? null : (v: string | unknown[]) => v.length <= (c.maximum as number);
    case "greater_than":
      return kind !== "number" ? null : c.inclusive ? (v: number) => v >= n : (v: number) => v > n;
    case "less_than":
      return kind !== "number" ? null : c.inclusive ? (v: number) => v <= n : (v: number) => v < n;
    case "number_format":
      return kind === "number" && c.format === "safeint" ? (v: number) => Number.isSafeInteger(v) : null;
    default:
      return null;
  }
}

function checksOf(def: Def, kind: "number" | "string" | "array"): Array<(v: never) => boolean> | null {
  const out: Array<(v: never) => boolean> = [];
  for (const c of def.checks ?? []) {
    const f = checkOf(c._zod.def, kind);
    if (!f) return null;
    out.push(f);
  }
  return out;
}

/** The quick check of a schema definition; NO (always "ask zod") for what it does not know. */
function compile(def: Def): Check {
  if (def.coerce) return NO;
  switch (def.type) {
    case "string": {
      const checks = def.format === undefined ? checksOf(def, "string") : null; // formats (datetime, email, ...): zod's
      return checks ? (v) => typeof v === "string" && checks.every((f) => f(v as never)) : NO;
    }
    case "number": {
      const checks = def.format === undefined ? checksOf(def, "number") : null;
      return checks ? (v) => typeof v === "number" && Number.isFinite(v) && checks.every((f) => f(v as never)) : NO;
    }
    case "boolean":
      return def.checks?.length ? NO : (v) => typeof v === "boolean";
    case "unknown":
      return () => true;
    case "enum": {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => values.has(v);
    }
    case "optional":
    case "default": {
      const inner = compile(def.innerType!._zod.def);
      return (v) => v === undefined || inner(v);
    }
    case "union": {
      const opts = (def.options ?? []).map((o) => compile(o._zod.def));
      return (v) => opts.some((f) => f(v));
    }
    case "array": {
      const el = compile(def.element!._zod.def);
      const checks = checksOf(def, "array");
      return checks ? (v) => Array.isArray(v) && checks.every((f) => f(v as never)) && v.every(el) : NO;
    }
    case "record": {
      if (def.keyType!._zod.def.type !== "string" || def.keyType!._zod.def.checks?.length) return NO;
      const value = compile(def.valueType!._zod.def);
      return (v) => isPlainObject(v) && Object.values(v).every(value);
    }
    case "object": {
      // Only strict objects (catchall never): an unknown key is zod's to report.
      if (def.catchall?._zod.def.type !== "never" || !def.shape) return NO;
      const fields = Object.entries(def.shape).map(([k, s]) => [k, compile(s._zod.def)] as const);
      const known = new Set(Object.keys(def.shape));
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (const k in v) if (!known.has(k)) return false;
        for (const [k, f] of fields) if (!f(v[k])) return false;
        return true;
      };
    }
    default:
      return NO;
  }
}

/** True only when `schema.safeParse(v)` would succeed; false means "ask the schema". */
export function quickValidator(schema: z.ZodType): (v: unknown) => boolean {
  return compile((schema as unknown as { _zod: { def: Def } })._zod.def);
}
