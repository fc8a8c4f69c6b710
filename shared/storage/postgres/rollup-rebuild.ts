// Recomputes a tenant's rollups from its stored request logs: after a bug, and
// for logs stored before rollups existed. Whole UTC days are rebuilt (a day
// row is the sum of its minutes, so a partial day could not be set right), one
// transaction per day: delete the day's minute, hour and day rows, read its logs in
// chunks through a cursor, add each chunk's deltas (the same function as the
// aggregator's, so the rows come out identical).
//
// The transaction is REPEATABLE READ: every chunk reads one snapshot, so a log
// the aggregator commits meanwhile is counted by exactly one side (it adds to
// the rows we wrote after we commit, or we fail with a serialization error
// and that day is retried).
import { sql } from "drizzle-orm";
import type { Db } from "../../db";
import type { LogRow } from "../../logs/record";
import { DimsIndex, rollupDeltas, type TenantLog } from "../../logs/rollup";
import { DAY_MS, dayStartOf } from "../../logs/rollup-spec";
import { sqlState } from "./errors";
import { addRollups, dimsIdsOf } from "./rollup-write";

/** Logs read per FETCH. */
const CHUNK = 5_000;
/** Days one call may rebuild; longer ranges are split by the caller. */
export const MAX_REBUILD_DAYS = 31;
const ATTEMPTS = 5;

export interface RebuiltDay {
  /** Unix ms of 00:00 UTC. */
  day: number;
  logs: number;
}

export interface RebuildResult {
  tenantId: number;
  /** The range rebuilt, widened to whole UTC days: [start, end). */
  start: number;
  end: number;
  days: RebuiltDay[];
  logs: number;
}

/** How many UTC days [start, end] touches. */
export const daysTouched = (start: number, end: number) => (dayStartOf(end) - dayStartOf(start)) / DAY_MS + 1;

type StoredLog = {
  ms: string;
  request_id: string;
  model: string;
  requested_model: string;
  provider: string;
  api_base: string;
  deployment_id: string;
  status: "success" | "failure";
  http_status: number | null;
  error_class: string | null;
  team: string;
  team_alias: string;
  user_id: string;
  api_key_alias: string;
  api_key_hash: string;
  project: string;
  environment: string;
  stream: boolean | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  input_tokens: string | null;
  output_tokens: string | null;
  total_tokens: string | null;
  cached_tokens: string | null;
  cost_usd: number | null;
  cache_hit: boolean | null;
};

const num = (v: string | null) => (v === null ? null : Number(v));

/** What the rollups read of a stored log (the rest of the LogRow left empty). */
function logRowOf(r: StoredLog): LogRow {
  return {
    requestId: r.request_id, traceId: null, time: Number(r.ms), endTime: null, latencyMs: r.latency_ms, ttftMs: r.ttft_ms,
    model: r.model, requestedModel: r.requested_model, provider: r.provider, apiBase: r.api_base, deploymentId: r.deployment_id,
    callType: "", stream: r.stream, status: r.status, httpStatus: r.http_status, errorType: null, errorClass: r.error_class,
    errorMessage: null, errorFingerprint: null, inputTokens: num(r.input_tokens), outputTokens: num(r.output_tokens),
    totalTokens: num(r.total_tokens), cachedTokens: num(r.cached_tokens), costUsd: r.cost_usd, costSource: null, cacheHit: r.cache_hit,
    user: r.user_id, endUser: "", team: r.team, teamAlias: r.team_alias, apiKeyAlias: r.api_key_alias, apiKeyHash: r.api_key_hash,
    project: r.project, environment: r.environment, tags: [], attributes: {},
  };
}

async function rebuildDay(db: Db, tenantId: number, day: number): Promise<number> {
  const from = sql`timestamptz 'epoch' + ${day}::bigint * interval '1 millisecond'`;
  const to = sql`timestamptz 'epoch' + ${day + DAY_MS}::bigint * interval '1 millisecond'`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM log_rollups WHERE tenant_id = ${tenantId} AND minute >= ${day} AND minute < ${day + DAY_MS}`);
    await tx.execute(sql`DELETE FROM log_rollup_hist WHERE tenant_id = ${tenantId} AND minute >= ${day} AND minute < ${day + DAY_MS}`);
    await tx.execute(sql`DELETE FROM log_rollups_hour WHERE tenant_id = ${tenantId} AND hour >= ${day} AND hour < ${day + DAY_MS}`);
    await tx.execute(sql`DELETE FROM log_rollups_day WHERE tenant_id = ${tenantId} AND day = ${day}`);
    await tx.execute(sql`DELETE FROM log_rollup_hist_day WHERE tenant_id = ${tenantId} AND day = ${day}`);
    await tx.execute(sql`
      DECLARE rebuild_logs NO SCROLL CURSOR FOR
      SELECT (extract(epoch FROM time) * 1000)::bigint AS ms, request_id, model, requested_model, provider, api_base, deployment_id,
        status, http_status, error_class, team, team_alias, user_id, api_key_alias, api_key_hash, project, environment, stream,
        latency_ms, ttft_ms, input_tokens, output_tokens, total_tokens, cached_tokens, cost_usd, cache_hit
      FROM request_logs WHERE tenant_id = ${tenantId} AND time >= ${from} AND time < ${to}`);
    const index = new DimsIndex();
    let logs = 0;
    for (;;) {
      const chunk = await tx.execute<StoredLog>(sql.raw(`FETCH ${CHUNK} FROM rebuild_logs`));
      if (chunk.rows.length === 0) break;
      logs += chunk.rows.length;
      const deltas = rollupDeltas(chunk.rows.map((r): TenantLog => ({ tenantId, row: logRowOf(r) })), index);
      // Dims are resolved on another connection: they are committed whatever
      // this transaction does, and never removed.
      await addRollups(tx, deltas, await dimsIdsOf(db, deltas.dims));
    }
    return logs;
  }, { isolationLevel: "repeatable read" });
}

/** Rebuilds the rollups of the UTC days that [start, end] (unix ms) touches. */
export async function rebuildRollups(db: Db, tenantId: number, start: number, end: number): Promise<RebuildResult> {
  const n = daysTouched(start, end);
  if (n > MAX_REBUILD_DAYS) throw new RangeError(`a rebuild covers at most ${MAX_REBUILD_DAYS} days (this range touches ${n}); split it`);
  const days = Array.from({ length: n }, (_, i) => dayStartOf(start) + i * DAY_MS);
  const out: RebuiltDay[] = [];
  for (const day of days) {
    for (let attempt = 1; ; attempt++) {
      try {
        out.push({ day, logs: await rebuildDay(db, tenantId, day) });
        break;
      } catch (err) {
        // Serialization failure or deadlock with a concurrent writer: the day again.
        const state = sqlState(err);
        if (attempt >= ATTEMPTS || (state !== "40001" && state !== "40P01")) throw err;
      }
    }
  }
  return { tenantId, start: days[0], end: days[days.length - 1] + DAY_MS, days: out, logs: out.reduce((n, d) => n + d.logs, 0) };
}
