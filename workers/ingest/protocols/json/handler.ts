// HTTP handlers of the JSON protocol: POST /v1/metrics and POST /v1/logs.
import type { Context } from "hono";
import type { IngestEnv } from "../../../../shared/env";
import type { AppEnv } from "../../../../shared/http/context";
import { decodeJson, readBody, requireMediaType } from "../../body";
import { admitAndEnqueue, admitAndEnqueueLogs } from "../../admission";
import { batchIdOf } from "../../idempotency";
import { parseLogsJson } from "./logs";
import { parseMetricsJson } from "./metrics";

type Ctx = Context<AppEnv<IngestEnv>>;

async function jsonBody(c: Ctx) {
  requireMediaType(c.req.raw, ["application/json"]);
  return decodeJson((await readBody(c.req.raw)).bytes);
}

export async function metricsRoute(c: Ctx) {
  const principal = c.get("principal");
  const batchId = batchIdOf(c.req.raw, "metrics");
  const { text, value } = await jsonBody(c);
  const answer = await admitAndEnqueue(c, batchId, parseMetricsJson(text, value, principal.limits, Date.now()));
  return c.json(answer.body, answer.status);
}

export async function logsRoute(c: Ctx) {
  const principal = c.get("principal");
  const batchId = batchIdOf(c.req.raw, "logs");
  const { text, value } = await jsonBody(c);
  const answer = await admitAndEnqueueLogs(c, batchId, parseLogsJson(text, value, principal.limits, Date.now()));
  return c.json(answer.body, answer.status);
}
