// Reading a request body within limits: declared and actual size (413),
// content type (415), and gzip/deflate/snappy content encodings.
import { MAX_BODY_BYTES, MAX_DECOMPRESSED_BYTES } from "../../shared/limits";
import { IngestProblem } from "./problem";

// An answer sent while the client is still uploading can be lost to a TCP
// reset, so before a 413 the rest of an oversized upload is read and dropped
// (up to this much; past it, the connection is cut as before).
const DRAIN_LIMIT_BYTES = 4 * MAX_BODY_BYTES;

/**
 * After an early refusal (401, 403, 415, ...), reads and drops what the client
 * is still sending, so the answer is not lost to a reset; bodies declared
 * larger than DRAIN_LIMIT_BYTES are cut instead.
 */
export async function drainUnread(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  if (Number(req.headers.get("content-length") ?? "0") > DRAIN_LIMIT_BYTES) return;
  await drain(req.body.getReader(), 0).catch(() => {});
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, already: number): Promise<void> {
  let total = already;
  while (total <= DRAIN_LIMIT_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    total += value.byteLength;
  }
  await reader.cancel().catch(() => {});
}

async function readCapped(stream: ReadableStream<Uint8Array>, cap: number, what: string, drainOnOverflow: boolean): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      if (drainOnOverflow) await drain(reader, total);
      else await reader.cancel().catch(() => {});
      throw new IngestProblem(413, `${what} is larger than the limit of ${cap} bytes; split it into smaller batches`);
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

export function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

export function requireMediaType(req: Request, allowed: readonly string[]): void {
  const type = mediaType(req);
  if (!allowed.includes(type))
    throw new IngestProblem(415, `unsupported Content-Type ${JSON.stringify(type || "(none)")}: send ${allowed.join(" or ")}`);
}

/**
 * The body after content decoding. `passThrough` encodings (e.g. snappy for
 * remote_write) are left for the protocol's decoder.
 */
export async function readBody(req: Request, passThrough: readonly string[] = []): Promise<{ bytes: Uint8Array; encoding: string }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    if (req.body && declared <= DRAIN_LIMIT_BYTES) await drain(req.body.getReader(), 0);
    throw new IngestProblem(413, `request body of ${declared} bytes is larger than the limit of ${MAX_BODY_BYTES} bytes; split it into smaller batches`);
  }
  if (!req.body) throw new IngestProblem(400, "request body is empty");
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "" || passThrough.includes(encoding)) {
    return { bytes: await readCapped(req.body, MAX_BODY_BYTES, "request body", true), encoding };
  }
  if (encoding === "gzip" || encoding === "deflate") {
    const raw = await readCapped(req.body, MAX_BODY_BYTES, "request body", true);
    try {
      const inflated = new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(encoding));
      return { bytes: await readCapped(inflated, MAX_DECOMPRESSED_BYTES, "decompressed request body", false), encoding: "identity" };
    } catch (err) {
      if (err instanceof IngestProblem) throw err;
      throw new IngestProblem(400, `request body is not valid ${encoding} data: ${(err as Error).message}`);
    }
  }
  const supported = ["gzip", "deflate", ...passThrough].join(", ");
  throw new IngestProblem(415, `unsupported Content-Encoding ${JSON.stringify(encoding)}: use ${supported} or none`);
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function decodeJson(bytes: Uint8Array): { text: string; value: unknown } {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new IngestProblem(400, "request body is not valid UTF-8");
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (err) {
    throw new IngestProblem(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}
