// What a set of request logs adds to the rollups: one delta per (tenant, dims,
// minute), per (tenant, dims, hour) and per (tenant, dims, UTC day), and the
// histogram buckets of each. Only the minutes are added log by log; hours and
// days are the sums of their minutes' deltas (exact: see the quantisation
// below), which costs per rollup row instead of per log. The aggregator adds the deltas of the logs it has just stored; a
// rebuild adds the deltas of the logs read back. Both use this function, so
// they agree.
import type { LogRow } from "./record";
import { BUCKET_OFFSET, BUCKET_SLOTS, bucketIndex, dayStartOf, dimsKey, dimsOf, HISTOGRAMS, hourStartOf, minuteOf, type Dims, type RollupSums } from "./rollup-spec";

/** A log and its tenant (kept apart: copying a LogRow to add a field costs more than the rollup). */
export interface TenantLog {
  tenantId: number;
  row: LogRow;
}

/** One non-empty histogram bucket of a rollup row. */
export interface BucketCount {
  /** HISTOGRAMS index. */
  hist: number;
  /** bucketIndex in that histogram's bounds (bounds.length is +Inf). */
  bucket: number;
  n: number;
}

export interface RollupDelta extends RollupSums {
  tenantId: number;
  /** One of RollupDeltas.dims (the same object for every delta of those dims). */
  dims: DimsEntry;
  /** Unix ms: the start of the minute, the hour or the UTC day. */
  at: number;
  /** Its non-empty buckets, by hist then bucket. */
  buckets: BucketCount[];
  /** The same bucket counts dense, BUCKET_SLOTS long (rollup-spec BUCKET_OFFSET): the hour tier's array. */
  slots: Uint32Array;
}

export interface DimsEntry {
  tenantId: number;
  key: string;
  dims: Dims;
}

export interface RollupDeltas {
  /** Every (tenant, dims) the deltas name, once. */
  dims: DimsEntry[];
  minutes: RollupDelta[];
  hours: RollupDelta[];
  days: RollupDelta[];
}

/**
 * Float sums depend on the order of their terms, and incremental rollups add
 * batch by batch while a rebuild adds chunk by chunk. Each log's fractional
 * contribution is therefore rounded to a multiple of 2^-k: sums of such
 * values are exact (hence the same in any order, in JS and in Postgres) while
 * they stay below 2^(53-k). k per quantity, for its units and magnitudes:
 * cost 2^-32 USD (~2e-10, sums exact to $2M a row); latency and TTFT 2^-24 s
 * (~6e-8 s, to 5e8 s); tokens/s 2^-16 (to 1e11); seconds per output token 2^-32.
 * Past those bounds sums are merely float-accurate.
 */
const COST_BITS = 32;
const HIST_BITS: readonly number[] = [24, 24, 16, 32];
if (HIST_BITS.length !== HISTOGRAMS.length) throw new Error("rollup.ts: HIST_BITS needs an entry per HISTOGRAMS entry");

const COST_SCALE = 2 ** COST_BITS;
const HIST_SCALE = HIST_BITS.map((b) => 2 ** b);

function emptySums(): RollupSums {
  return {
    requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, costUsd: 0, cacheHits: 0, cacheMisses: 0,
    histCount: HISTOGRAMS.map(() => 0), histSum: HISTOGRAMS.map(() => 0),
  };
}

// The LogRow fields dimsOf reads.
const DIM_FIELDS = [
  "model", "requestedModel", "provider", "apiBase", "deploymentId", "status", "httpStatus", "errorClass", "team", "teamAlias",
  "user", "apiKeyAlias", "apiKeyHash", "project", "environment", "stream",
] as const satisfies ReadonlyArray<keyof LogRow>;

type Trie = Map<unknown, Trie | DimsEntry>;

/**
 * Memoises dims per distinct combination of a row's dimension fields (a trie
 * of Maps, one level per field), so the canonical key (sorted JSON) is built
 * once per dims set, not once per log.
 */
export class DimsIndex {
  private readonly root: Trie = new Map();
  private readonly byKey = new Map<string, DimsEntry>();
  // Rows looked up before (the aggregator resolves every record's dims, then adds the written ones).
  private readonly byRow = new WeakMap<LogRow, DimsEntry>();

  entryOf(tenantId: number, r: LogRow): DimsEntry {
    const seen = this.byRow.get(r);
    if (seen && seen.tenantId === tenantId) return seen;
    const e = this.lookup(tenantId, r);
    this.byRow.set(r, e);
    return e;
  }

  private lookup(tenantId: number, r: LogRow): DimsEntry {
    let node = this.root.get(tenantId) as Trie | undefined;
    if (!node) this.root.set(tenantId, (node = new Map()));
    for (let i = 0; i < DIM_FIELDS.length - 1; i++) {
      const v = r[DIM_FIELDS[i]];
      let next = node.get(v) as Trie | undefined;
      if (!next) node.set(v, (next = new Map()));
      node = next;
    }
    const last = r[DIM_FIELDS[DIM_FIELDS.length - 1]];
    let e = node.get(last) as DimsEntry | undefined;
    if (!e) {
      const dims = dimsOf(r);
      const key = dimsKey(dims);
      // Combinations that differ only where dims do not ("" and null) share an entry.
      const k = `${tenantId}\u0001${key}`;
      e = this.byKey.get(k);
      if (!e) this.byKey.set(k, (e = { tenantId, key, dims }));
      node.set(last, e);
    }
    return e;
  }

  /** Every (tenant, dims) seen, once. */
  entries(): DimsEntry[] {
    return [...this.byKey.values()];
  }
}

const OFFSET = BUCKET_OFFSET;

/** Adds one log to a rollup row: its quantised cost and its histograms' observations and bucket slots. */
function add(d: RollupDelta, r: LogRow, cost: number, obs: ReadonlyArray<number | null>, slot: ArrayLike<number>): void {
  d.requests++;
  d.inputTokens += r.inputTokens ?? 0;
  d.outputTokens += r.outputTokens ?? 0;
  d.totalTokens += r.totalTokens ?? 0;
  d.cachedTokens += r.cachedTokens ?? 0;
  d.costUsd += cost;
  if (r.cacheHit === true) d.cacheHits++;
  else if (r.cacheHit === false) d.cacheMisses++;
  for (let h = 0; h < HISTOGRAMS.length; h++) {
    const v = obs[h];
    if (v === null) continue;
    d.histCount[h]++;
    d.histSum[h] += Math.round(v * HIST_SCALE[h]) / HIST_SCALE[h];
    d.slots[slot[h]]++;
  }
}

/** Adds a minute's delta into its hour's or day's. Every term is quantised, so the sums are exact in any order. */
function fold(into: RollupDelta, m: RollupDelta): void {
  into.requests += m.requests;
  into.inputTokens += m.inputTokens;
  into.outputTokens += m.outputTokens;
  into.totalTokens += m.totalTokens;
  into.cachedTokens += m.cachedTokens;
  into.costUsd += m.costUsd;
  into.cacheHits += m.cacheHits;
  into.cacheMisses += m.cacheMisses;
  for (let h = 0; h < HISTOGRAMS.length; h++) {
    into.histCount[h] += m.histCount[h];
    into.histSum[h] += m.histSum[h];
  }
  for (let i = 0; i < BUCKET_SLOTS; i++) into.slots[i] += m.slots[i];
}

type ByAt = Map<DimsEntry, Map<number, RollupDelta>>;

function deltaOf(into: ByAt, e: DimsEntry, at: number): RollupDelta {
  let byAt = into.get(e);
  if (!byAt) into.set(e, (byAt = new Map()));
  let d = byAt.get(at);
  if (!d) byAt.set(at, (d = { tenantId: e.tenantId, dims: e, at, ...emptySums(), buckets: [], slots: new Uint32Array(BUCKET_SLOTS) }));
  return d;
}

/** The non-empty buckets of a delta's slots, by hist then bucket. */
function bucketsOf(slots: Uint32Array): BucketCount[] {
  const out: BucketCount[] = [];
  for (const h of HISTOGRAMS)
    for (let i = 0; i <= h.bounds.length; i++) {
      const n = slots[OFFSET[h.id] + i];
      if (n > 0) out.push({ hist: h.id, bucket: i, n });
    }
  return out;
}

/** The deltas of a set of logs, each counted once per entry given (dedupe before calling). */
export function rollupDeltas(logs: Iterable<TenantLog>, index = new DimsIndex()): RollupDeltas {
  const minutes: ByAt = new Map();
  const used = new Set<DimsEntry>();
  const obs = new Array<number | null>(HISTOGRAMS.length);
  const slot = new Uint16Array(HISTOGRAMS.length);
  for (const { tenantId, row: r } of logs) {
    const e = index.entryOf(tenantId, r);
    used.add(e);
    for (const h of HISTOGRAMS) {
      const v = h.observe(r);
      obs[h.id] = v === null || !Number.isFinite(v) ? null : v;
      if (obs[h.id] !== null) slot[h.id] = OFFSET[h.id] + bucketIndex(h.bounds, v!);
    }
    const cost = r.costUsd === null ? 0 : Math.round(r.costUsd * COST_SCALE) / COST_SCALE;
    add(deltaOf(minutes, e, minuteOf(r.time)), r, cost, obs, slot);
  }
  const hours: ByAt = new Map();
  const days: ByAt = new Map();
  const out: RollupDeltas = { dims: [...used], minutes: [], hours: [], days: [] };
  for (const [e, byAt] of minutes)
    for (const m of byAt.values()) {
      m.buckets = bucketsOf(m.slots);
      out.minutes.push(m);
      fold(deltaOf(hours, e, hourStartOf(m.at)), m);
      fold(deltaOf(days, e, dayStartOf(m.at)), m);
    }
  for (const [from, to] of [[hours, out.hours], [days, out.days]] as const)
    for (const byAt of from.values())
      for (const d of byAt.values()) {
        d.buckets = bucketsOf(d.slots);
        to.push(d);
      }
  return out;
}
