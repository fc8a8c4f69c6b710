// Internal label sets: arrays of [name, value] sorted by name, like Prometheus's
// labels.Labels. Keys and comparisons follow Prometheus so results sort the same.
import type { Labels } from "../../../shared/labels";

export type Label = readonly [string, string];
export type Lbls = readonly Label[];

export const EMPTY: Lbls = [];
export const NAME = "__name__";

export function fromRecord(r: Labels): Lbls {
  const out: Label[] = [];
  for (const k of Object.keys(r)) if (r[k] !== "") out.push([k, r[k]]);
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

export function toRecord(l: Lbls): Labels {
  const out: Labels = {};
  for (const [k, v] of l) out[k] = v;
  return out;
}

// Label sets are immutable and the same array flows through every step of a
// query, so keys and name-dropped copies are cached per array (Prometheus's Dmn cache).
const keyCache = new WeakMap<Lbls, string>();
const dropCache = new WeakMap<Lbls, Lbls>();

/** Identity key of a label set (Prometheus hashes; we keep exact strings). */
export function key(l: Lbls): string {
  let s = keyCache.get(l);
  if (s === undefined) {
    s = "";
    for (const [k, v] of l) s += k + "\xff" + v + "\xfe";
    keyCache.set(l, s);
  }
  return s;
}

export function get(l: Lbls, name: string): string {
  for (const [k, v] of l) if (k === name) return v;
  return "";
}

export function has(l: Lbls, name: string): boolean {
  for (const [k] of l) if (k === name) return true;
  return false;
}

export function compare(a: Lbls, b: Lbls): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i][0] !== b[i][0]) return a[i][0] < b[i][0] ? -1 : 1;
    if (a[i][1] !== b[i][1]) return a[i][1] < b[i][1] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Set (or delete, when value is "") one label; returns a new set. */
export function set(l: Lbls, name: string, value: string): Lbls {
  const out: Label[] = [];
  let done = false;
  for (const p of l) {
    if (!done && p[0] >= name) {
      if (value !== "") out.push([name, value]);
      done = true;
      if (p[0] === name) continue;
    }
    out.push(p);
  }
  if (!done && value !== "") out.push([name, value]);
  return out;
}

export function del(l: Lbls, names: readonly string[]): Lbls {
  if (names.length === 0) return l;
  return l.filter(([k]) => !names.includes(k));
}

export function keep(l: Lbls, names: readonly string[]): Lbls {
  return l.filter(([k]) => names.includes(k));
}

export function dropName(l: Lbls): Lbls {
  if (!has(l, NAME)) return l;
  let d = dropCache.get(l);
  if (!d) {
    d = l.filter(([k]) => k !== NAME);
    dropCache.set(l, d);
  }
  return d;
}

/** Prometheus's Labels.String(), used in error messages. */
export function toString(l: Lbls): string {
  return "{" + l.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ") + "}";
}

/** Key of the labels that decide vector matching: only `names` (on) or all but them and __name__ (ignoring). */
export function signature(l: Lbls, on: boolean, names: readonly string[]): string {
  let s = "";
  if (on) {
    for (const [k, v] of l) if (names.includes(k)) s += k + "\xff" + v + "\xfe";
  } else {
    for (const [k, v] of l) if (k !== NAME && !names.includes(k)) s += k + "\xff" + v + "\xfe";
  }
  return s;
}
