// Stable identity of a series (or a log dimension set): SHA-256 of its canonical
// key, first 16 bytes as a uuid. 128 bits makes a collision between two keys of
// one tenant practically impossible.
import { seriesKey, type Labels } from "./labels";

const encoder = new TextEncoder();

/** The first 16 bytes of SHA-256 over a canonical key, as a uuid. */
export async function keyHash(key: string): Promise<string> {
  const hex = (await sha256Hex(key)).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function seriesHash(name: string, labels: Labels): Promise<string> {
  return keyHash(seriesKey(name, labels));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * 32-bit FNV-1a over a normalised series: cheap, synchronous, for counting
 * active series. Collisions only make a count slightly low, never lose data.
 */
export function seriesHash32(name: string, labels: Labels): number {
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff; // separator, so ("ab","c") differs from ("a","bc")
    h = Math.imul(h, 0x01000193);
  };
  mix(name);
  for (const k in labels) {
    mix(k);
    mix(labels[k]);
  }
  return h >>> 0;
}
