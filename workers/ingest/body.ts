// Reading a request body within limits: declared and actual size (413),
// content type (415), and gzip/deflate/snappy content encodings.
import { gunzipSync, inflateSync } from "node:zlib";
import { MAX_BODY_BYTES, MAX_DECOMPRESSED_BYTES } from "../../shared/limits";
import { drainReader, DRAIN_LIMIT_BYTES, readBounded } from "../../shared/http/drain";
import { IngestProblem } from "./problem";

/** The upload as sent, up to MAX_BODY_BYTES; past it the rest is drained and the answer is 413. */
async function readUpload(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const bytes = await readBounded(stream, MAX_BODY_BYTES);
  if (bytes === null) throw new IngestProblem(413, `request body is larger than the limit of ${MAX_BODY_BYTES} bytes; split it into smaller batches`);
  return bytes;
}

/**
 * Inflates with node:zlib's output cap, which stops inflating at the cap. The
 * web DecompressionStream cannot: workerd inflates every chunk written to it
 * whether or not its output is read, so cancelling at the cap still inflated
 * all of a bomb (1 GiB of zeros: 3.3 s; 7 GiB: 23 s and 9 GB of memory).
 */
function inflateCapped(raw: Uint8Array, encoding: "gzip" | "deflate", cap: number): Uint8Array {
  try {
    return (encoding === "gzip" ? gunzipSync : inflateSync)(raw, { maxOutputLength: cap });
  } catch (err) {
    if (err instanceof RangeError) throw new IngestProblem(413, `decompressed request body is larger than the limit of ${cap} bytes; split it into smaller batches`);
    throw new IngestProblem(400, `request body is not valid ${encoding} data: ${(err as Error).message}`);
  }
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
 * remote_write) are left for the protocol's decoder, which caps them itself.
 */
export async function readBody(req: Request, passThrough: readonly string[] = []): Promise<{ bytes: Uint8Array; encoding: string }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    if (req.body && declared <= DRAIN_LIMIT_BYTES) await drainReader(req.body.getReader());
    throw new IngestProblem(413, `request body of ${declared} bytes is larger than the limit of ${MAX_BODY_BYTES} bytes; split it into smaller batches`);
  }
  if (!req.body) throw new IngestProblem(400, "request body is empty");
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "" || passThrough.includes(encoding)) {
    return { bytes: await readUpload(req.body), encoding };
  }
  if (encoding === "gzip" || encoding === "deflate") {
    const raw = await readUpload(req.body);
    return { bytes: inflateCapped(raw, encoding, MAX_DECOMPRESSED_BYTES), encoding: "identity" };
  }
  const supported = ["gzip", "deflate", ...passThrough].join(", ");
  throw new IngestProblem(415, `unsupported Content-Encoding ${JSON.stringify(encoding)}: use ${supported} or none`);
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function decodeText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new IngestProblem(400, "request body is not valid UTF-8");
  }
}

export function decodeJson(bytes: Uint8Array): { text: string; value: unknown } {
  const text = decodeText(bytes);
  try {
    return { text, value: JSON.parse(text) };
  } catch (err) {
    throw new IngestProblem(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}
