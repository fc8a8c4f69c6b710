// Which derived series a selector asks for, decided before any SQL: the name
// and the labels a family can never carry rule most families out (a query for
// a scraped metric costs no derived SQL at all), then the tenant's dims sets
// are projected onto each remaining family's labels and grouped, one group per
// projected label set, with the series of that group the matchers accept.
import { NAME_LABEL, type Labels } from "../../labels";
import type { Dims } from "../../logs/rollup-spec";
import type { ExactMatcher, LabelMatcher } from "../types";
import { baseLabels, DERIVED_FAMILIES, leText, possibleLabelNames, seriesNamesOf, type DerivedFamily } from "./catalogue";

export interface DimsRow {
  id: number;
  dims: Dims;
}

/** One series of a group: its labels and what it shows. */
export type Output =
  | { labels: Labels; part: "value"; index: number } // counter: family.values[index]
  | { labels: Labels; part: "bucket"; bucket: number } // histogram: cumulative up to bounds[bucket] (bounds.length: +Inf)
  | { labels: Labels; part: "sum" }
  | { labels: Labels; part: "count" };

export interface SeriesGroup {
  /** Identifies the group's label set within its family. */
  key: string;
  /** The dims sets whose rollups add up to this group's series. */
  dimsIds: number[];
  outputs: Output[];
}

export interface FamilyPlan {
  family: DerivedFamily;
  groups: SeriesGroup[];
}

/** Families with at least one series name the matchers can select, judged on names and impossible labels only. */
export function candidateFamilies(matchers: LabelMatcher[], exact: ExactMatcher): DerivedFamily[] {
  const out: DerivedFamily[] = [];
  for (const f of DERIVED_FAMILIES) {
    const ok = seriesNamesOf(f).some((name) => {
      const possible = possibleLabelNames(f, name);
      // A label the family never has reads as "": matchers on it decide now.
      const decidable = matchers.filter((m) => m.name === NAME_LABEL || !possible.has(m.name));
      return exact(decidable)({ [NAME_LABEL]: name });
    });
    if (ok) out.push(f);
  }
  return out;
}

/** base (keys sorted) with __name__ first and extra labels in their sorted places. */
function withName(name: string, base: Labels, extra?: Labels): Labels {
  const out: Labels = { [NAME_LABEL]: name };
  const more = extra ? Object.keys(extra).sort() : [];
  let j = 0;
  for (const k in base) {
    for (; j < more.length && more[j] < k; j++) out[more[j]] = extra![more[j]];
    out[k] = base[k];
  }
  for (; j < more.length; j++) out[more[j]] = extra![more[j]];
  return out;
}

function outputsOf(f: DerivedFamily, base: Labels, accept: (l: Labels) => boolean): Output[] {
  const out: Output[] = [];
  const add = (o: Output) => {
    if (accept(o.labels)) out.push(o);
  };
  if (f.kind === "counter") {
    f.values.forEach((v, index) => add({ labels: withName(`${f.name}_total`, base, v.extra), part: "value", index }));
    return out;
  }
  const bucket = `${f.name}_bucket`;
  for (let b = 0; b <= f.bounds.length; b++) {
    add({ labels: withName(bucket, base, { le: leText(b === f.bounds.length ? Infinity : f.bounds[b]) }), part: "bucket", bucket: b });
  }
  add({ labels: withName(`${f.name}_sum`, base), part: "sum" });
  add({ labels: withName(`${f.name}_count`, base), part: "count" });
  return out;
}

/**
 * The family's series over the tenant's dims sets that `accept` takes (the
 * exact matcher over full label sets, __name__ included), grouped by projected
 * label set; groups with no accepted series are dropped.
 */
export function planFamily(f: DerivedFamily, dims: readonly DimsRow[], accept: (l: Labels) => boolean): FamilyPlan {
  const byKey = new Map<string, { base: Labels; dimsIds: number[] }>();
  for (const d of dims) {
    if (!f.filter(d.dims)) continue;
    const base = baseLabels(f, d.dims); // keys sorted
    let key = "";
    for (const k in base) key += `${k}\xff${base[k]}\xfe`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { base, dimsIds: [] }));
    g.dimsIds.push(d.id);
  }
  const groups: SeriesGroup[] = [];
  for (const [key, g] of byKey) {
    const outputs = outputsOf(f, g.base, accept);
    if (outputs.length) groups.push({ key, dimsIds: g.dimsIds, outputs });
  }
  return { family: f, groups };
}

/** What a plan needs read: which parts of the family. */
export function partsOf(plan: FamilyPlan): { values: boolean; buckets: boolean; sum: boolean; count: boolean } {
  const parts = { values: false, buckets: false, sum: false, count: false };
  for (const g of plan.groups) {
    for (const o of g.outputs) {
      if (o.part === "value") parts.values = true;
      else if (o.part === "bucket") parts.buckets = true;
      else parts[o.part] = true;
    }
  }
  return parts;
}
