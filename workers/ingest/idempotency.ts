// The batch id of a request: the sender's Idempotency-Key when given (so a retry
// after a lost answer is recognised), a fresh one otherwise.
import { IngestProblem } from "./problem";

const KEY_RE = /^[A-Za-z0-9._:\-]{1,128}$/;

/** `kind` keeps one key used for both metrics and logs from making either a replay of the other. */
export function batchIdOf(req: Request, kind: "metrics" | "logs"): string {
  const key = req.headers.get("idempotency-key");
  if (key === null) return `${kind}:${crypto.randomUUID()}`;
  if (!KEY_RE.test(key)) throw new IngestProblem(400, "Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -");
  return `${kind}:${key}`;
}
