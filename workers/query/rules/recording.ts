// One evaluation of a recording rule: Prometheus 2.42's RecordingRule.Eval.
import type { Labels } from "../../../shared/labels";
import type { RecordingRuleSpec } from "../../../shared/rules/types";
import { labelsKey, sortedLabels, type OutputSample, type ResultSample } from "./alerting";

/** The output samples: __name__ set to the record name and the rule's labels set over the result's. */
export function evalRecordingRule(rule: RecordingRuleSpec, result: ResultSample[], limit: number): OutputSample[] {
  const out: OutputSample[] = [];
  const seen = new Set<string>();
  for (const s of result) {
    const lb: Labels = { ...s.metric, __name__: rule.record };
    for (const [k, v] of Object.entries(rule.labels ?? {})) {
      if (v === "") delete lb[k];
      else lb[k] = v;
    }
    const labels = sortedLabels(lb);
    const key = labelsKey(labels);
    if (seen.has(key)) throw new Error("vector contains metrics with the same labelset after applying rule labels");
    seen.add(key);
    out.push({ labels, value: s.v });
  }
  if (limit > 0 && out.length > limit) throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
  return out;
}
