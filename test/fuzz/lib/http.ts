// One timed HTTP call for the hostile-input tests: never throws, never waits
// past its bound, and records what came back (status, body, JSON, time).
export interface Answer {
  /** HTTP status; 0 when no answer came (network error or the time bound). */
  status: number;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  ms: number;
  /** Set when no answer came: "timeout after N ms" or the network error. */
  failure?: string;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
}

export async function call(url: string, opts: CallOptions = {}): Promise<Answer> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, { method: opts.method ?? (opts.body === undefined ? "GET" : "POST"), headers: opts.headers, body: opts.body as BodyInit | undefined, signal: controller.signal });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, ms: performance.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const failure = controller.signal.aborted ? `timeout after ${timeoutMs} ms` : `${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ""}`;
    return { status: 0, text: "", json: undefined, ms: performance.now() - started, failure };
  } finally {
    clearTimeout(timer);
  }
}

// drizzle's "Failed query: <sql>\nparams: ...", SQL statements, bind placeholders.
const SQL_PATTERNS = [/failed query/i, /\bselect\b[\s\S]*\bfrom\b/i, /\binsert\s+into\b/i, /\bparams:/i, /\$\d+::/, /\bjsonb?_\w+\(/i];

/** The first SQL-looking fragment of an error body, or undefined. */
export function sqlLeak(text: string): string | undefined {
  for (const re of SQL_PATTERNS) {
    const m = re.exec(text);
    if (m) return text.slice(Math.max(0, m.index - 40), m.index + 80);
  }
  return undefined;
}

/** A short description of an answer for failure messages. */
export function show(a: Answer): string {
  if (a.status === 0) return `no answer (${a.failure}) after ${Math.round(a.ms)} ms`;
  return `${a.status} in ${Math.round(a.ms)} ms: ${a.text.slice(0, 300)}`;
}
