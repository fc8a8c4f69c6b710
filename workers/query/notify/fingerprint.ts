// Alertmanager's names for things: an alert's fingerprint (prometheus/common
// model.LabelSet.Fingerprint: FNV-1a 64 over sorted names and values, each
// followed by 0xff, printed as 16 hex digits) and the text of a label set
// ({a="1", b="2"}) its group keys are made of.
import type { Labels } from "../../../shared/labels";

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;
const encoder = new TextEncoder();

export function fingerprint(labels: Labels): string {
  let h = OFFSET;
  const add = (b: number) => {
    h = ((h ^ BigInt(b)) * PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const b of encoder.encode(name)) add(b);
    add(0xff);
    for (const b of encoder.encode(labels[name])) add(b);
    add(0xff);
  }
  return h.toString(16).padStart(16, "0");
}

/** model.LabelSet.String(): sorted, values Go-quoted. */
export function labelsText(labels: Labels): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(", ")}}`;
}

/** The labels an alert is grouped by for a receiver: its group_by labels it has, or all of them for ["..."]. */
export function groupLabelsOf(labels: Labels, groupBy: string[]): Labels {
  if (groupBy.length === 1 && groupBy[0] === "...") return { ...labels };
  const out: Labels = {};
  for (const name of groupBy) if (labels[name] !== undefined && labels[name] !== "") out[name] = labels[name];
  return out;
}

/** Alertmanager's group key, route part and labels: our receivers hang off the root route by name. */
export const groupKeyOf = (receiver: string, groupLabels: Labels) => `{}/{receiver=${JSON.stringify(receiver)}}:${labelsText(groupLabels)}`;
