// POST /admin/v1/rollups/rebuild {start, end[, tenant]}: recompute a tenant's
// log rollups from its stored logs over the UTC days that [start, end] touches
// (RFC 3339 or unix seconds). Also how logs stored before rollups get theirs.
import { Hono } from "hono";
import { z } from "zod";
import { useDb } from "../../shared/http/context";
import { daysTouched, MAX_REBUILD_DAYS, rebuildRollups } from "../../shared/storage/postgres/rollup-rebuild";
import { ApiError } from "./api/envelope";
import { parseTime } from "./api/params";
import { body, err, targetTenant, type AdminEnv } from "./admin-request";

const time = z.union([z.string().min(1), z.number().finite()], { message: "must be RFC 3339 (2026-01-01T00:00:00Z) or unix seconds" });
const RebuildBody = z.strictObject({
  tenant: z.union([z.string().min(1), z.number().int().positive()]).optional(),
  start: time,
  end: time,
});

const iso = (ms: number) => new Date(ms).toISOString();

export const rollups = new Hono<AdminEnv>();

rollups.post("/rebuild", async (c) => {
  const b = await body(c, RebuildBody);
  if (b instanceof Response) return b;
  let start: number;
  let end: number;
  try {
    start = parseTime(String(b.start), "start");
    end = parseTime(String(b.end), "end");
  } catch (e) {
    if (e instanceof ApiError) return err(c, 400, e.message);
    throw e;
  }
  if (end < start) return err(c, 400, "end is before start");
  const days = daysTouched(start, end);
  if (days > MAX_REBUILD_DAYS) return err(c, 400, `a rebuild covers at most ${MAX_REBUILD_DAYS} UTC days per call (this range touches ${days}); split the range`);
  const tenant = await targetTenant(c, c.get("principal"), b.tenant);
  if (tenant instanceof Response) return tenant;
  const r = await rebuildRollups(useDb(c), tenant, start, end);
  return c.json({
    status: "success",
    data: { tenant: r.tenantId, start: iso(r.start), end: iso(r.end), logs: r.logs, days: r.days.map((d) => ({ day: iso(d.day), logs: d.logs })) },
  });
});
