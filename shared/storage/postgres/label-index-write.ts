// Keeps the label index (label_values, schema section "B") as the metrics
// write widens series bounds. Writing every label of every series on every
// write would cost a row per label value per write and make concurrent
// writers queue on the row lock of hot values (job="x"), so the index's
// max_t may lag: a series is sent only when it is new to this isolate or its
// span passes what was last sent for it by more than half the slack, and the
// statement writes a value only when the span passes the stored max_t by
// more than the other half. So at every commit, each stored sample's time is
// at most LABEL_INDEX_SLACK_MS after its values' max_t; min_t is kept exact.
// Every bound stored is the time of a written sample.
import { sql } from "drizzle-orm";
import type { Tx } from "../../db";
import { NAME_LABEL } from "../../labels";
import type { Span } from "./series-bounds";

/** How far a label value's stored max_t may lag its newest sample (ms). */
export const LABEL_INDEX_SLACK_MS = 5 * 60_000;
const HALF = LABEL_INDEX_SLACK_MS / 2;
const MAX_CACHE = 200_000;

/** Per series id: the span last sent to the index, in a committed write (ids are unique across tenants). */
const sent = new Map<number, { lo: number; hi: number }>();

/** The spans the index may not cover yet: new to this isolate, older than sent, or newer by more than half the slack. */
export function spansToIndex(spans: Span[]): Span[] {
  return spans.filter((s) => {
    const c = sent.get(s.id);
    return !c || s.lo < c.lo || s.hi > c.hi + HALF;
  });
}

/** Remembers spans once the transaction that indexed them has committed. */
export function indexedSpans(spans: Span[]): void {
  if (sent.size + spans.length > MAX_CACHE) sent.clear();
  for (const s of spans) {
    const c = sent.get(s.id);
    sent.set(s.id, c ? { lo: Math.min(c.lo, s.lo), hi: Math.max(c.hi, s.hi) } : { lo: s.lo, hi: s.hi });
  }
}

/**
 * Widens the index rows of every label value (and metric name) of the spans'
 * series, one statement. Values already covered are filtered out before the
 * upsert, which would lock them even when its WHERE leaves them unchanged;
 * the rest are written in key order, so concurrent writers lock in one order.
 */
export async function widenLabelIndex(tx: Tx, spans: Span[]): Promise<void> {
  if (spans.length === 0) return;
  const list = (f: (s: Span) => number) => `{${spans.map(f).join(",")}}`;
  await tx.execute(sql`
    WITH sp AS (
      SELECT * FROM unnest(${list((s) => s.id)}::bigint[], ${list((s) => s.lo)}::bigint[], ${list((s) => s.hi)}::bigint[]) AS t(id, lo, hi)
    ), agg AS (
      SELECT s.tenant_id, kv.name, kv.value, min(sp.lo) AS lo, max(sp.hi) AS hi
      FROM sp JOIN series s ON s.id = sp.id
      CROSS JOIN LATERAL (SELECT ${NAME_LABEL}::text, s.metric_name UNION ALL SELECT key, value FROM jsonb_each_text(s.labels)) kv(name, value)
      GROUP BY 1, 2, 3
    )
    INSERT INTO label_values AS lv (tenant_id, name, value, min_t, max_t)
    SELECT a.tenant_id, a.name, a.value, a.lo, a.hi FROM agg a
    WHERE NOT EXISTS (SELECT 1 FROM label_values l WHERE l.tenant_id = a.tenant_id AND l.name = a.name AND l.value = a.value
      AND l.min_t <= a.lo AND l.max_t >= a.hi - ${HALF}::bigint)
    ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, name, value) DO UPDATE SET min_t = least(lv.min_t, excluded.min_t), max_t = greatest(lv.max_t, excluded.max_t)
    WHERE excluded.min_t < lv.min_t OR excluded.max_t > lv.max_t`);
}
