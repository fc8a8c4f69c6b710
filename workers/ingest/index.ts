// The ingest worker: authenticate, decode, validate, enqueue. It never writes
// the database; the aggregator does, from the queue.
import { Hono } from "hono";
import type { IngestEnv } from "../../shared/env";
import { dbLifecycle, requireScope, type AppEnv } from "../../shared/http/context";
import { IngestProblem, problemBody } from "./problem";
import { drainUnread } from "../../shared/http/drain";
import { reportInternalError } from "../../shared/http/internal-error";
import { metricsRoute, logsRoute } from "./protocols/json/handler";
import { litellmLogsRoute } from "./protocols/litellm/handler";
import { remoteWriteRoute } from "./protocols/remote-write/handler";

type Env = AppEnv<IngestEnv>;

const app = new Hono<Env>();

app.get("/healthz", (c) => c.json({ status: "ok", worker: "ingest" }));

// Any refusal sent before the body was read: drop the rest of the upload first.
app.use(async (c, next) => {
  await next();
  if (c.res.status >= 400) await drainUnread(c.req.raw);
});

const ingestAuth = [dbLifecycle<IngestEnv>(), requireScope<IngestEnv>("ingest", (c, status, message) => c.json(problemBody(message), status))] as const;
app.use("/v1/*", ...ingestAuth);
app.use("/api/v1/write", ...ingestAuth);

app.post("/v1/metrics", metricsRoute);
app.post("/v1/logs", logsRoute);
app.post("/v1/logs/litellm", litellmLogsRoute);
app.post("/api/v1/write", remoteWriteRoute);

app.notFound((c) => c.json(problemBody(`no ingest endpoint at ${c.req.method} ${new URL(c.req.url).pathname}; use POST /v1/metrics, POST /v1/logs, POST /v1/logs/litellm or POST /api/v1/write`), 404));

app.onError((err, c) => {
  if (err instanceof IngestProblem) return c.json(problemBody(err.message), err.status, err.headers);
  return c.json(problemBody(`${reportInternalError(c, err, "ingest")}; retry later`), 500);
});

export { TenantLimiter } from "./limiter";
export default app;
