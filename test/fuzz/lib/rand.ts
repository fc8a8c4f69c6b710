// Seeded choices for the fuzz generators, on the project's one generator
// (scripts/lib/rng.ts). Each case gets its own stream, so a case can be
// re-run alone from (seed, id).
import { rng } from "../../../scripts/lib/rng";

export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  /** The stream of case `id` of a run seeded with `seed`. */
  static forCase(seed: number, id: number): Rand {
    return new Rand(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id + 1, 0xc2b2ae35));
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    let r = this.next() * items.reduce((n, [w]) => n + w, 0);
    for (const [w, v] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1][1];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
  /** A string of odd characters: NUL, lone surrogates, BOM, RTL marks, emoji, controls, combining marks. */
  oddString(max = 12): string {
    const odd = ["\u0000", "\ud800", "\udc00", "\ufeff", "\u202e", "\u{1f600}", "\u0007", "\u0301", "\uffff", "\u2028", "é", "\\", '"', "'", "$1", "%", "{", "}", "\n", " "];
    let s = "";
    const n = this.int(1, max);
    for (let i = 0; i < n; i++) s += this.chance(0.5) ? this.pick(odd) : String.fromCharCode(this.int(0x20, 0x7e));
    return s;
  }
}

/** `bits` random bit flips in a copy of `data`. */
export function flipBits(r: Rand, data: Uint8Array, bits: number): Uint8Array {
  const out = Uint8Array.from(data);
  if (out.length === 0) return out;
  for (let i = 0; i < bits; i++) {
    const at = r.int(0, out.length - 1);
    out[at] ^= 1 << r.int(0, 7);
  }
  return out;
}

export function truncate(r: Rand, data: Uint8Array): Uint8Array {
  return data.slice(0, r.int(0, Math.max(0, data.length - 1)));
}
