// Stable identity of a series: SHA-256 of its canonical key, first 16 bytes as a uuid.
// 128 bits makes a collision between two series of one tenant practically impossible.
import { seriesKey, type Labels } from "./labels";

const encoder = new TextEncoder();

export async function seriesHash(name: string, labels: Labels): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(seriesKey(name, labels))));
  let hex = "";
  for (let i = 0; i < 16; i++) hex += digest[i].toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}
