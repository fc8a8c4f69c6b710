// The derived half of QueryStorage: select, series and metadata over the
// families of catalogue.ts, reading rollups through a DerivedReader (the SQL,
// in shared/storage/postgres/derived-read.ts). A selector no family can match
// returns before the reader is touched.
import type { Labels } from "../../labels";
import type { ExactMatcher, LabelMatcher, MetricMetadata, SeriesData, TimeRange } from "../types";
import { DERIVED_FAMILIES, metadataName, presenceOf, type CounterFamily, type HistogramFamily, type Presence, type RollupColumn } from "./catalogue";
import { cumulate, cumulativeOverLe, liveFrom, prefixPlan, windowOf, type GroupRows, type PrefixPlan, type Window } from "./cumulation";
import { candidateFamilies, partsOf, planFamily, type DimsRow, type FamilyPlan, type SeriesGroup } from "./projection";

/** A log_rollups value: a plain column, or one histogram's count or sum. */
export type ColumnRef = { column: RollupColumn } | { histCount: number } | { histSum: number };

export interface DerivedReader {
  /** The tenant's dims sets (read once per reader). */
  dims(): Promise<DimsRow[]>;
  /** Whether the tenant has any (for metadata). */
  hasDims(): Promise<boolean>;
  /** log_rollups per group (dims ids), minutes where presence > 0, the given columns as components. */
  rollups(groups: number[][], columns: ColumnRef[], presence: Presence, w: Window, plan: PrefixPlan): Promise<GroupRows[]>;
  /** log_rollup_buckets of one histogram per group, buckets (0..c-1) as components. */
  buckets(groups: number[][], hist: number, c: number, w: Window, plan: PrefixPlan): Promise<GroupRows[]>;
  /** For each (dims id, presence): any minute with it in [from, to]. */
  live(pairs: { dimsId: number; presence: Presence }[], from: number, to: number): Promise<boolean[]>;
}

export interface DerivedOptions {
  ttlMs: number;
  now(): number;
}

export interface DerivedStorage {
  select(matchers: LabelMatcher[], range: TimeRange): Promise<SeriesData[]>;
  /** Label sets of derived series matching any set (all when there are none) with samples in range. */
  series(matcherSets: LabelMatcher[][], range: TimeRange): Promise<Labels[]>;
  metadata(metric?: string): Promise<Record<string, MetricMetadata[]>>;
}

const presenceKey = (p: Presence) => ("column" in p ? `c:${p.column}` : `h:${p.hist}`);

async function readCounter(reader: DerivedReader, f: CounterFamily, groups: SeriesGroup[], w: Window, pp: PrefixPlan): Promise<SeriesData[]> {
  // Only the columns some chosen series shows (llm_tokens_total{type="cached"} reads one).
  const used = [...new Set(groups.flatMap((g) => g.outputs.map((o) => (o.part === "value" ? o.index : -1))))].filter((i) => i >= 0).sort((a, b) => a - b);
  const slot = new Map(used.map((index, k) => [index, k]));
  const rows = await reader.rollups(groups.map((g) => g.dimsIds), used.map((i) => ({ column: f.values[i].column })), f.presence, w, pp);
  const out: SeriesData[] = [];
  groups.forEach((g, i) => {
    const cum = cumulate(w, pp, rows[i], used.length);
    if (cum.timestamps.length === 0) return;
    for (const o of g.outputs) if (o.part === "value") out.push({ labels: o.labels, timestamps: cum.timestamps, values: cum.values[slot.get(o.index)!] });
  });
  return out;
}

async function readHistogram(reader: DerivedReader, f: HistogramFamily, plan: FamilyPlan, w: Window, pp: PrefixPlan): Promise<SeriesData[]> {
  const parts = partsOf(plan);
  const groups = plan.groups.map((g) => g.dimsIds);
  const scalarCols: ColumnRef[] = [];
  if (parts.sum) scalarCols.push({ histSum: f.hist });
  if (parts.count) scalarCols.push({ histCount: f.hist });
  const c = f.bounds.length + 1;
  const [scalars, buckets] = await Promise.all([
    scalarCols.length ? reader.rollups(groups, scalarCols, { hist: f.hist }, w, pp) : null,
    parts.buckets ? reader.buckets(groups, f.hist, c, w, pp) : null,
  ]);
  const out: SeriesData[] = [];
  plan.groups.forEach((g, i) => {
    const s = scalars && cumulate(w, pp, scalars[i], scalarCols.length);
    const b = buckets && cumulate(w, pp, buckets[i], c);
    if (b) cumulativeOverLe(b.values);
    for (const o of g.outputs) {
      const src = o.part === "bucket" ? b : s;
      if (!src || src.timestamps.length === 0) continue;
      const values = o.part === "bucket" ? src.values[o.bucket] : src.values[o.part === "sum" ? 0 : parts.sum ? 1 : 0];
      out.push({ labels: o.labels, timestamps: src.timestamps, values });
    }
  });
  return out;
}

export function derivedStorage(reader: DerivedReader, exact: ExactMatcher, opts: DerivedOptions): DerivedStorage {
  /** Plans of the families the matchers select, or [] without reading anything when none can. */
  async function plansFor(matchers: LabelMatcher[]): Promise<FamilyPlan[]> {
    const families = candidateFamilies(matchers, exact);
    if (families.length === 0) return [];
    const dims = await reader.dims();
    if (dims.length === 0) return [];
    const accept = exact(matchers);
    return families.map((f) => planFamily(f, dims, accept)).filter((p) => p.groups.length > 0);
  }

  return {
    async select(matchers, range) {
      const now = opts.now();
      const w = windowOf(range, now, opts.ttlMs);
      if (!w) return [];
      const plans = await plansFor(matchers);
      if (plans.length === 0) return [];
      const pp = prefixPlan(w, now);
      const parts = await Promise.all(
        plans.map(({ family: f, groups }, i) => (f.kind === "counter" ? readCounter(reader, f, groups, w, pp) : readHistogram(reader, f, plans[i], w, pp))),
      );
      return parts.flat();
    },

    async series(matcherSets, range) {
      const w = windowOf(range, opts.now(), opts.ttlMs);
      if (!w) return [];
      const plans = (await Promise.all((matcherSets.length ? matcherSets : [[]]).map(plansFor))).flat();
      if (plans.length === 0) return [];
      // One liveness check per (dims set, presence), shared by every family and set asking.
      const pairs: { dimsId: number; presence: Presence }[] = [];
      const index = new Map<string, number>();
      const pairOf = (dimsId: number, p: Presence) => {
        const k = `${dimsId}/${presenceKey(p)}`;
        let i = index.get(k);
        if (i === undefined) {
          index.set(k, (i = pairs.length));
          pairs.push({ dimsId, presence: p });
        }
        return i;
      };
      const asks = plans.flatMap((p) => p.groups.map((g) => ({ f: p.family, g, ids: g.dimsIds.map((d) => pairOf(d, presenceOf(p.family))) })));
      const live = await reader.live(pairs, liveFrom(w), w.end);
      const out: Labels[] = [];
      // Plans of one matcher set never repeat a series; several sets may.
      const seen = matcherSets.length > 1 ? new Set<string>() : null;
      for (const { f, g, ids } of asks) {
        if (!ids.some((i) => live[i])) continue;
        for (const o of g.outputs) {
          if (seen) {
            const k = `${f.name}\x00${g.key}\x00${o.part}${o.part === "value" ? o.index : o.part === "bucket" ? o.bucket : ""}`;
            if (seen.has(k)) continue;
            seen.add(k);
          }
          out.push(o.labels);
        }
      }
      return out;
    },

    async metadata(metric) {
      const families = DERIVED_FAMILIES.filter((f) => metric === undefined || metadataName(f) === metric);
      if (families.length === 0 || !(await reader.hasDims())) return {};
      const out: Record<string, MetricMetadata[]> = {};
      for (const f of families) out[metadataName(f)] = [{ type: f.kind, help: f.help, unit: f.unit }];
      return out;
    },
  };
}
