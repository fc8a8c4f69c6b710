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
/** Quoted text longer than this is echoed content (a prompt, a payload), not a name: it is replaced whole. */
const MAX_QUOTED_NAME = 200;

/**
 * The message with what varies between occurrences replaced: URLs, e-mail
 * addresses, UUIDs, masked secrets, IP addresses, ids (hex, prefixed such as
 * org-x8Yq2LmNab or req_011CUeZ2K7hq, values of team_id= or id:, mixed-case random
 * tokens, long random tokens), durations (20ms,
 * 1.5s, 6m0s) and numbers. Quoted
 * names are kept (an SDK's "{'error': {'message': ...}}" differs by its
 * message, and two of them must not merge); long quoted content is replaced.
 * Prefixed by the class, so two classes with the same text stay apart. A bare
 * random token without a digit (qvAdcbVeUbGj) cannot be told from a word and is kept.
 */
export function errorFingerprint(errorClass: string | null, message: string | null, httpStatus: number | null): string {
  const text = (message ?? "")
    .slice(0, 2000)
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, "<email>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
    .replace(/[\w.-]*\*{3,}[\w*-]*(?:\.[\w*-]+)*/g, "<redacted>")
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, "<ip>")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (q) => (q.length - 2 > MAX_QUOTED_NAME ? "<str>" : q))
    .replace(/\b((?:\w+[_-])?(?:id|ID)|\w+Id)(\s*[=:]\s*)[\w-]{4,}/g, "$1$2<id>")
    .replace(/\b([a-z]{2,12}[-_])(?=[a-z0-9]*\d)[a-z0-9]{8,}\b/gi, "$1<id>")
    .replace(/\b(?=[a-zA-Z]*\d)(?=[A-Z0-9]*[a-z])(?=[a-z0-9]*[A-Z])[A-Za-z0-9]{10,}\b/g, "<id>")
    .replace(/\b(?:[a-z]+[-_])?[0-9a-f]*\d[0-9a-f]{7,}\b/gi, "<id>")
    .replace(/\b(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{16,}\b/gi, "<id>")
    .replace(/\b[a-z]*[-_]?[a-z0-9]*\d[a-z0-9]*(?:[-_][a-z0-9]+)+\b/gi, (w) => (/\d{3,}/.test(w) ? "<id>" : w))
    .replace(/\b(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+\b/g, "<duration>")
    .replace(/\b\d+(?:\.\d+)?/g, "<n>")
    .replace(/\s+/g, " ")
    .trim();
  const head = errorClass ?? (httpStatus !== null ? `HTTP ${httpStatus}` : "error");
  return `${head}: ${text}`.slice(0, MAX_FINGERPRINT).trimEnd();
}
