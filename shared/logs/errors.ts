// Error analysis helpers: a coarse error type from what a record says, and a
// fingerprint of the message that groups "the same error" across requests.

export const ERROR_TYPES = [
  "rate_limit", "timeout", "auth", "permission", "not_found", "bad_request", "context_length",
  "content_filter", "server_error", "unavailable", "connection", "budget_exceeded", "unknown",
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

const BY_TEXT: Array<[RegExp, ErrorType]> = [
  [/rate.?limit|too many requests|quota/i, "rate_limit"],
  [/context.?(length|window)|maximum context|too many tokens|prompt is too long/i, "context_length"],
  [/content.?(filter|policy|management)|safety/i, "content_filter"],
  [/budget/i, "budget_exceeded"],
  [/time.?out|timed out|deadline/i, "timeout"],
  [/auth|api key|unauthori[sz]ed/i, "auth"],
  [/permission|forbidden/i, "permission"],
  [/not.?found|no such model|does not exist/i, "not_found"],
  [/connect|econnre|socket|network|dns/i, "connection"],
  [/unavailable|overloaded|service.?unavailable/i, "unavailable"],
  [/bad.?request|invalid|unprocessable/i, "bad_request"],
  [/internal|server.?error/i, "server_error"],
];

function byStatus(s: number): ErrorType | null {
  if (s === 429) return "rate_limit";
  if (s === 408 || s === 504) return "timeout";
  if (s === 401) return "auth";
  if (s === 403) return "permission";
  if (s === 404) return "not_found";
  if (s === 413) return "context_length";
  if (s === 503 || s === 529) return "unavailable";
  if (s >= 500) return "server_error";
  if (s >= 400) return "bad_request";
  return null;
}

/** The error class and message name the cause more precisely than a status (a 400 may be a context overflow). */
export function errorTypeOf(httpStatus: number | null, errorClass: string | null, message: string | null): ErrorType {
  const text = `${errorClass ?? ""} ${message ?? ""}`;
  for (const [re, t] of BY_TEXT) if (re.test(text)) return t;
  return (httpStatus !== null && byStatus(httpStatus)) || "unknown";
}

const MAX_FINGERPRINT = 300;

/**
 * The message with what varies between occurrences replaced: quoted values,
 * UUIDs, hex ids, URLs, e-mail addresses and numbers. Prefixed by the class, so
 * two classes with the same text stay apart.
 */
export function errorFingerprint(errorClass: string | null, message: string | null, httpStatus: number | null): string {
  const text = (message ?? "")
    .slice(0, 2000)
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, "<email>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, "<str>")
    .replace(/\b(?:[a-z]+[-_])?[0-9a-f]*\d[0-9a-f]{7,}\b/gi, "<id>")
    .replace(/\b[a-z]*[-_]?[a-z0-9]*\d[a-z0-9]*(?:[-_][a-z0-9]+)+\b/gi, (w) => (/\d{3,}/.test(w) ? "<id>" : w))
    .replace(/-?\d+(?:\.\d+)?/g, "<n>")
    .replace(/\s+/g, " ")
    .trim();
  const head = errorClass ?? (httpStatus !== null ? `HTTP ${httpStatus}` : "error");
  return `${head}: ${text}`.slice(0, MAX_FINGERPRINT);
}
