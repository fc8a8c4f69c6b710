// The one way a worker answers an unexpected failure: the client gets
// "internal error" and a request id, never the error's text (drizzle's
// "Failed query: <sql> params: <values>" would leak SQL, tenant ids and
// names); the logs get the id with the message, the cause and the stack.
import type { Context } from "hono";

export const REQUEST_ID_HEADER = "X-Request-Id";

/** Cloudflare's cf-ray names the request in Cloudflare's logs too; else a random id. */
export function requestId(c: Context): string {
  const ray = c.req.header("cf-ray");
  return ray && /^[\w-]{1,64}$/.test(ray) ? ray : crypto.randomUUID();
}

function causeOf(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause === undefined) return undefined;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Logs the failure as one JSON line carrying the request id, sets the id as a
 * response header, and returns the text for the client: "internal error
 * (request id …)".
 */
export function reportInternalError(c: Context, err: unknown, worker: string): string {
  const id = requestId(c);
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(JSON.stringify({ level: "error", worker, request_id: id, msg: e.message, cause: causeOf(err), stack: e.stack }));
  c.header(REQUEST_ID_HEADER, id);
  return `internal error (request id ${id})`;
}
