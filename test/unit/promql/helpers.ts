// Small fixtures for engine unit tests.
import { MemoryStorage } from "../../support/memory-storage";
import { STALE_NAN } from "../../../shared/staleness";

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
