// POST /v1/logs/litellm: LiteLLM's generic_api callback, pointed straight at us.
// Auth is the one of every ingest route (Authorization: Bearer <key>, which the
// callback sends from GENERIC_LOGGER_HEADERS or callback_settings headers).
import type { Context } from "hono";
import type { IngestEnv } from "../../../../shared/env";
import type { AppEnv } from "../../../../shared/http/context";
import { admitAndEnqueueLogs } from "../../admission";
import { decodeText, readBody, requireMediaType } from "../../body";
import { batchIdOf } from "../../idempotency";
import { IngestProblem } from "../../problem";
import { parseLitellmBody } from "./parse";

/** LiteLLM sends application/json whatever its log_format; an NDJSON type is welcome too. */
const MEDIA_TYPES = ["application/json", "application/x-ndjson", "application/jsonl"] as const;

/** A batch over the body limit is lost to LiteLLM (it does not retry): say what to change on its side. */
function tooLarge(err: unknown): never {
  if (err instanceof IngestProblem && err.status === 413)
    throw new IngestProblem(413, `${err.message}; in LiteLLM lower the callback's batch_size, or set litellm_settings.turn_off_message_logging: true (message and response bodies are not stored here anyway)`);
  throw err;
}

export async function litellmLogsRoute(c: Context<AppEnv<IngestEnv>>) {
  const principal = c.get("principal");
  const batchId = batchIdOf(c.req.raw, "logs");
  requireMediaType(c.req.raw, MEDIA_TYPES);
  const text = decodeText((await readBody(c.req.raw).catch(tooLarge)).bytes);
  const answer = await admitAndEnqueueLogs(c, batchId, parseLitellmBody(text, principal.limits, Date.now()));
  return c.json(answer.body, answer.status);
}
