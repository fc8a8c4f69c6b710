// The search cursor: opaque to clients, base64url of the last record's
// (time in unix µs, request id) and the start of the range it was found in,
// so that the next page of a search without start= reads the same range.
import type { SearchKey } from "../../../shared/storage/request-log-store";
import { invalid } from "./requests-params";

export interface Cursor extends SearchKey {
  /** Unix ms: the range start of the search that made it. */
  startMs: number;
}

const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export function encodeCursor(c: Cursor): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify([c.timeUs, c.requestId, c.startMs])));
}

const bad = () => invalid("cursor", "not a cursor this API gave out; pass next_cursor from the previous page unchanged, or leave it out for the first page");

export function decodeCursor(raw: string): Cursor {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(raw)) throw bad();
  let parsed: unknown;
  try {
    const bin = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [timeUs, requestId, startMs] = parsed;
  if (!Number.isSafeInteger(timeUs) || typeof requestId !== "string" || requestId === "" || !Number.isSafeInteger(startMs)) throw bad();
  return { timeUs, requestId, startMs };
}
