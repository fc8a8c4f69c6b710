// One POST of a notification and what to do about its outcome: done (2xx),
// drop (other 4xx: the payload or the credentials are wrong and resending the
// same will not help), or retry later (network error, timeout, 5xx, and 429,
// which asks to come back).
export type Fetch = typeof fetch;

export type PostOutcome = { kind: "ok"; status: number } | { kind: "drop" | "retry"; status: number | null; error: string };

const MAX_ERROR_BODY = 300;

export async function postJson(fetchFn: Fetch, url: string, payload: unknown, opts: { timeoutMs: number; headers?: Record<string, string> }): Promise<PostOutcome> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Inferscope-Notifier", ...opts.headers },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${opts.timeoutMs / 1000}s` : (e.cause?.message ?? e.cause?.code ?? e.message);
    return { kind: "retry", status: null, error: `POST ${url}: ${why}` };
  }
  // Read the body whatever the status: an unread body holds the connection (and on workerd, the invocation).
  const text = await res.text().catch(() => "");
  if (res.ok) return { kind: "ok", status: res.status };
  const error = `POST ${url}: HTTP ${res.status}${text ? `: ${text.slice(0, MAX_ERROR_BODY).trim()}` : ""}`;
  return { kind: res.status >= 500 || res.status === 429 ? "retry" : "drop", status: res.status, error };
}

/** The Authorization header for an Alertmanager's credentials, if it has any. */
export function authHeaders(a: { bearer_token?: string; basic_auth?: { username: string; password: string } }): Record<string, string> {
  if (a.bearer_token) return { authorization: `Bearer ${a.bearer_token}` };
  if (a.basic_auth) {
    const bytes = new TextEncoder().encode(`${a.basic_auth.username}:${a.basic_auth.password}`);
    return { authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
  }
  return {};
}

/** Exponential backoff: 10 s, 20 s, 40 s, ... capped. */
export const backoffMs = (attempts: number, capMs: number) => Math.min(10_000 * 2 ** Math.max(0, attempts - 1), capMs);

export function logError(msg: string, fields: Record<string, unknown>): void {
  console.error(JSON.stringify({ level: "error", worker: "query", component: "notify", msg, ...fields }));
}
