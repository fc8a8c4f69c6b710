// GET /admin/v1/status: what `inferscope doctor` checks on the server side:
// the migrations applied against those this build was made with (the journal
// is bundled in), the cron's last run, the daily partitions from today on and
// the retention, rule group health and dead letters of the last day. A
// tenant's admin key sees its own tenant's rule groups and dead letters; the
// bootstrap key sees every tenant's. Nothing else of any tenant is in here.
import { Hono } from "hono";
import journal from "../../migrations/meta/_journal.json";
import { useDb } from "../../shared/http/context";
import { retentionDaysOf } from "../../shared/limits";
import { lastCronRun } from "../../shared/storage/postgres/cron-runs";
import { appliedMigrations, partitionDays, recentDeadLetters, ruleGroupHealth } from "../../shared/storage/postgres/deployment-status";
import type { AdminEnv } from "./admin-request";

/** The job name the query worker's scheduled() records its runs under. */
export const QUERY_CRON_JOB = "query";

const DAY_MS = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "");

export const status = new Hono<AdminEnv>();

status.get("/", async (c) => {
  const db = useDb(c);
  const tenantId = c.get("principal").tenantId;
  const now = Date.now();
  const today = ymd(now);
  const [applied, cron, partitions, rules, deadLetters] = await Promise.all([
    appliedMigrations(db),
    lastCronRun(db, QUERY_CRON_JOB),
    partitionDays(db, today),
    ruleGroupHealth(db, tenantId, now),
    recentDeadLetters(db, tenantId),
  ]);
  const entries = journal.entries;
  const lastApplied = applied.lastWhen === null ? undefined : entries.find((e) => e.when === applied.lastWhen);
  const ahead = (days: string[]) => {
    // Consecutive days after today that have a partition.
    let n = 0;
    while (days.includes(ymd(now + (n + 1) * DAY_MS))) n++;
    return n;
  };
  return c.json({
    status: "success",
    data: {
      now: new Date(now).toISOString(),
      scope: tenantId === null ? "all tenants" : { tenantId },
      schema: {
        applied: applied.count,
        expected: entries.length,
        lastApplied: lastApplied?.tag ?? null,
        lastAppliedHash: applied.lastHash,
        lastExpected: entries.at(-1)?.tag ?? null,
      },
      cron: { lastRun: cron?.finishedAt ?? null, durationMs: cron?.durationMs ?? null },
      retention: { days: retentionDaysOf(c.env) },
      partitions: Object.fromEntries(
        Object.entries(partitions).map(([table, p]) => [table, { today: p.days.includes(today), daysAhead: ahead(p.days), oldest: p.oldest }]),
      ),
      rules: { ...rules, lastEvaluation: rules.lastEvaluationMs === null ? null : new Date(rules.lastEvaluationMs).toISOString(), lastEvaluationMs: undefined },
      deadLetters: { lastDay: deadLetters },
    },
  });
});
