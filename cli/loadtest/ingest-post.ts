// One POST to the ingest worker, timed, as an Outcome: the accepted counts
// from its answer ({accepted: {samples} | {records}}, or all of it for
// remote_write's bodiless 204; a 400 still stored the valid rest), the status of a refusal with the server's own message, and a
// 429's Retry-After, which the caller honours (pauses that stream).
import { parseRetryAfter } from "../agent/delivery/backoff";
import type { Outcome } from "./recorder";

export interface PostTarget {
  url: string;
  key: string;
  timeoutMs: number;
}

export interface PostResult extends Outcome {
  /** Milliseconds the server asked us to wait (a 429's or 503's Retry-After). */
  retryAfterMs: number | null;
  /** The request was cut off by the hard stop, not answered. */
  interrupted: boolean;
}

const ITEM_KEYS = { samples: "samples", records: "records" } as const;

function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === "string") return j.error;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}

export async function postIngest(
  t: PostTarget,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
  offered: number,
  counted: keyof typeof ITEM_KEYS,
  signal: AbortSignal,
  userAgent = "inferscope-loadtest",
): Promise<PostResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(t.timeoutMs);
  try {
    const res = await fetch(`${t.url}${path}`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${t.key}`, "user-agent": userAgent },
      body: body as BodyInit,
      signal: AbortSignal.any([signal, timeout]),
    });
    const text = await res.text();
    const latencyMs = performance.now() - started;
    const ok = res.status >= 200 && res.status < 300;
    // remote_write's success is 204 with no body (all taken); otherwise the answer's count, and a 400 still stored the valid rest.
    let accepted = ok ? offered : 0;
    try {
      const j = JSON.parse(text) as { accepted?: Record<string, number> };
      const n = j.accepted?.[ITEM_KEYS[counted]];
      if (typeof n === "number") accepted = n;
    } catch {
      // no body, or not ours: as above
    }
    return {
      ok,
      status: res.status,
      latencyMs,
      offered,
      accepted,
      error: ok ? undefined : `HTTP ${res.status}: ${serverMessage(text)}`,
      retryAfterMs: res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after")) : null,
      interrupted: false,
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const interrupted = signal.aborted;
    const why = interrupted ? "interrupted at the end of the run" : timeout.aborted ? `no answer within ${t.timeoutMs / 1000}s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { ok: false, status: 0, latencyMs: performance.now() - started, offered, accepted: 0, error: why, retryAfterMs: null, interrupted };
  }
}
