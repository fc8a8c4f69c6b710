// An answer sent while the client is still uploading can be lost to a TCP
// reset. Every worker that answers before it has read a body (401, 403, 413,
// 415, ...) reads and drops the rest first, up to a bound; past it the
// connection is cut, as a sender of such a body deserves.
import { MAX_BODY_BYTES } from "../limits";

/** Most bytes read and dropped before an early answer. */
export const DRAIN_LIMIT_BYTES = 4 * MAX_BODY_BYTES;

/** Reads and drops what `reader` still has, `already` bytes having been read; cancels past DRAIN_LIMIT_BYTES. */
export async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, already = 0): Promise<void> {
  let total = already;
  try {
    while (total <= DRAIN_LIMIT_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to protect.
  }
}

/** Drops a request's unread body before an early answer; bodies declared larger than DRAIN_LIMIT_BYTES are cut instead. */
export async function drainUnread(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  if (Number(req.headers.get("content-length") ?? "0") > DRAIN_LIMIT_BYTES) return;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = req.body.getReader();
  } catch {
    return; // locked: whoever holds it reads it
  }
  await drainReader(reader);
}

/**
 * The body as bytes, up to `limit`; past it the rest is read and dropped (as
 * drainReader does) and the answer is null, for the caller's 413.
 */
export async function readBounded(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await drainReader(reader, total);
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
