// The batch id of a request: the sender's Idempotency-Key when given (so a retry
// after a lost answer is recognised), a fresh one otherwise.
import { IngestProblem } from "./problem";

const KEY_RE = /^[A-Za-z0-9._:\-]{1,128}$/;

export function batchIdOf(req: Request): string {
  const key = req.headers.get("idempotency-key");
  if (key === null) return crypto.randomUUID();
  if (!KEY_RE.test(key)) throw new IngestProblem(400, "Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -");
  return key;
}
