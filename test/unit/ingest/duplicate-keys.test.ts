// The count pre-check of findDuplicateKeys (given the parsed value) must find
// exactly what the full scan finds: nothing when no key repeats, and the same
// paths when one does.
import { describe, expect, it } from "vitest";
import { findDuplicateKeys } from "../../../workers/ingest/protocols/json/duplicate-keys";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// Keys and strings that are hard on a scanner: colons, quotes, backslashes, braces inside strings.
const WORDS = ["a", "b", "c", "x:y", 'q"uote', "back\\", "\\\\", "{[", "]}", ",", ":", "é", "__proto__", "1", "0"];

function gen(r: () => number, depth: number): string {
  const k = r();
  if (depth > 3 || k < 0.3) {
    const w = WORDS[Math.floor(r() * WORDS.length)];
    return r() < 0.5 ? JSON.stringify(w) : String(Math.floor(r() * 1000) / 10);
  }
  const n = Math.floor(r() * 5);
  const parts = Array.from({ length: n }, () => gen(r, depth + 1));
  if (k < 0.55) return `[${parts.join(r() < 0.5 ? "," : " , ")}]`;
  // Keys drawn from a small set, so some objects repeat one.
  return `{${parts.map((p) => `${JSON.stringify(WORDS[Math.floor(r() * 6)])}${r() < 0.5 ? ":" : " : "}${p}`).join(",")}}`;
}

describe("findDuplicateKeys with the parsed value", () => {
  it("finds what the full scan finds on generated JSON", () => {
    const r = rng(7);
    let dups = 0;
    let clean = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = gen(r, 0);
      const full = findDuplicateKeys(text);
      expect(findDuplicateKeys(text, 100, JSON.parse(text)), text).toEqual(full);
      if (full.length) dups++;
      else clean++;
    }
    expect(dups).toBeGreaterThan(1000);
    expect(clean).toBeGreaterThan(1000);
  });

  it("still names the path of a repeated key", () => {
    const text = '[{"a":1},{"b":{"c":"x:\\"y","c":2}}]';
    expect(findDuplicateKeys(text, 100, JSON.parse(text))).toEqual(["[1].b.c"]);
  });
});
