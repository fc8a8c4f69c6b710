// One HTTP call of `inferscope doctor`: never throws; says why it got no answer.
export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

export type Reply = Answer | { unreachable: string };

export async function call(url: string, init: { method?: string; key?: string; body?: unknown; timeoutMs?: number } = {}): Promise<Reply> {
  const timeoutMs = init.timeoutMs ?? 10_000;
  try {
    const res = await fetch(url, {
      method: init.method ?? "GET",
      headers: {
        accept: "application/json",
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { unreachable: e.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message) };
  }
}

/** The server's own error message in an answer, else the start of its body. */
export function messageOf(a: Answer): string {
  const j = a.json as { error?: unknown } | undefined;
  return typeof j?.error === "string" ? j.error : a.text.slice(0, 200) || `HTTP ${a.status}`;
}
