// The query worker: the Prometheus HTTP API Grafana reads, the admin API, and
// the cron (retention, rule evaluation: rules/cron.ts).
import { Hono, type Context } from "hono";
import type { QueryEnv } from "../../shared/env";
import { dbLifecycle, requireScope, useDb, type AppEnv } from "../../shared/http/context";
import { openDb } from "../../shared/db";
import { reportInternalError } from "../../shared/http/internal-error";
import { postgresQueryStorage } from "../../shared/storage/postgres/read";
import { derivedTtlMs } from "../../shared/storage/derived/ttl";
import { postgresRequestLogStore } from "../../shared/storage/postgres/request-logs-read";
import { admin } from "./admin";
import { ApiError, failure } from "./api/envelope";
import { mountInfoRoutes } from "./api/info-routes";
import { mountRulesRoutes } from "./api/rules-routes";
import { runRuleEvaluation } from "./rules/cron";
import { queryRangeRoute, queryRoute } from "./api/query-routes";
import { detailRoute, errorsRoute, searchRoute, tailRoute } from "./api/requests-routes";
import { summaryRoute } from "./api/requests-summary";
import { labelValuesRoute, labelsRoute, metadataRoute, seriesRoute } from "./api/series-routes";
import { labelsPredicate } from "./promql";
import { runRetention } from "./retention";
import { runCompactionJob } from "./compaction";
import { runSelfMetrics } from "./self-metrics";
import { retentionDaysOf } from "../../shared/limits";
import { recordCronRun } from "../../shared/storage/postgres/cron-runs";
import { QUERY_CRON_JOB } from "./admin-status";
import { keyInfoRoute } from "./key-info";

type Env = AppEnv<QueryEnv>;

const app = new Hono<Env>();

app.get("/healthz", (c) => c.json({ status: "ok", worker: "query" }));

app.use("/api/v1/*", dbLifecycle(), requireScope("query", (c, status, message) => failure(c, status === 401 ? "unauthorized" : status === 403 ? "forbidden" : "unavailable", message, status)));
app.use("/admin/v1/*", dbLifecycle(), requireScope("admin", (c, status, message) => c.json({ status: "error", error: message }, status)));

const storage = (c: Context<Env>) =>
  postgresQueryStorage(useDb(c), c.get("principal").tenantId!, labelsPredicate, { derivedTtlMs: derivedTtlMs(c.env.DERIVED_SERIES_TTL) });

app.on(["GET", "POST"], "/api/v1/query", (c) => queryRoute(c, storage(c)));
app.on(["GET", "POST"], "/api/v1/query_range", (c) => queryRangeRoute(c, storage(c)));
app.on(["GET", "POST"], "/api/v1/series", (c) => seriesRoute(c, storage(c)));
app.on(["GET", "POST"], "/api/v1/labels", (c) => labelsRoute(c, storage(c)));
app.get("/api/v1/label/:name/values", (c) => labelValuesRoute(c, storage(c), c.req.param("name")));
app.get("/api/v1/metadata", (c) => metadataRoute(c, storage(c)));

const logStore = (c: Context<Env>) => postgresRequestLogStore(useDb(c), c.get("principal").tenantId!);
app.get("/api/v1/requests", (c) => searchRoute(c, logStore(c)));
app.get("/api/v1/requests/tail", (c) => tailRoute(c, logStore(c)));
app.get("/api/v1/requests/errors", (c) => errorsRoute(c, logStore(c)));
app.get("/api/v1/requests/summary", (c) => summaryRoute(c, logStore(c)));
app.get("/api/v1/requests/:id", (c) => detailRoute(c, logStore(c), c.req.param("id")));
mountInfoRoutes(app);
mountRulesRoutes(app);
app.route("/admin/v1", admin);
app.get("/auth/v1/key", dbLifecycle(), requireScope("any", (c, status, message) => c.json({ status: "error", error: message }, status)), keyInfoRoute);

app.notFound((c) =>
  new URL(c.req.url).pathname.startsWith("/api/")
    ? failure(c, "not_found", `no such API endpoint: ${c.req.method} ${new URL(c.req.url).pathname}`)
    : c.json({ status: "error", error: "not found" }, 404),
);

app.onError((err, c) => {
  if (err instanceof ApiError) return failure(c, err.errorType, err.message);
  return failure(c, "internal", reportInternalError(c, err, "query"));
});

export default {
  fetch: app.fetch,
  async scheduled(event: ScheduledController, env: QueryEnv, ctx: ExecutionContext) {
    const { db, close } = openDb(env);
    // Each job runs whatever the one before did: a failed retention must not stop alerting.
    const failed: unknown[] = [];
    const job = async (name: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        failed.push(err);
        console.error(JSON.stringify({ level: "error", worker: "query", job: name, msg: "cron job failed", error: String((err as Error)?.stack ?? err) }));
      }
    };
    const startedAt = Date.now();
    try {
      await job("self-metrics", () => runSelfMetrics(db).then(() => {}));
      await job("retention", async () => {
        const dropped = await runRetention(db, retentionDaysOf(env));
        if (dropped.length) console.log(JSON.stringify({ level: "info", worker: "query", msg: "retention dropped partitions", dropped }));
      });
      await job("rules", () => runRuleEvaluation(db, event.scheduledTime, { externalURL: env.EXTERNAL_URL || undefined, derivedTtlMs: derivedTtlMs(env.DERIVED_SERIES_TTL) }).then(() => {}));
      await job("compaction", () => runCompactionJob(db, env, retentionDaysOf(env)));
      // The invocation still shows as failed in Cloudflare's cron log, and doctor sees no finished run.
      if (failed.length) throw failed[0];
      await recordCronRun(db, QUERY_CRON_JOB, startedAt);
    } finally {
      ctx.waitUntil(close().catch(() => {}));
    }
  },
} satisfies ExportedHandler<QueryEnv>;
