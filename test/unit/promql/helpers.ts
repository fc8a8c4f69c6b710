// Small fixtures for engine unit tests.
import { MemoryStorage } from "../../support/memory-storage";
import { STALE_NAN } from "../../../shared/staleness";
import { PromQLError } from "../../../workers/query/promql/index";

export const T0 = 1_700_000_000_000;

/** Series with one sample every `stepMs` from T0, values given (null = no sample, "stale" = staleness marker). */
export function series(labels: Record<string, string>, values: Array<number | null | "stale">, stepMs = 15_000) {
  const timestamps: number[] = [];
  const present = values.filter((v) => v !== null);
  // A Float64Array, written element by element: JS arrays would canonicalise StaleNaN.
  const vals = new Float64Array(present.length);
  let j = 0;
  values.forEach((v, i) => {
    if (v === null) return;
    timestamps.push(T0 + i * stepMs);
    vals[j++] = v === "stale" ? STALE_NAN : v;
  });
  return { labels, timestamps, values: vals };
}

export function store(...s: ReturnType<typeof series>[]): MemoryStorage {
  return new MemoryStorage(s);
}

/** The PromQLError a query throws; fails the test when it throws nothing or something else. */
export async function errorOf(p: Promise<unknown>): Promise<PromQLError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PromQLError) return e;
    throw e;
  }
  throw new Error("expected an error");
}
