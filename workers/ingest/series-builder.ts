// Turns one incoming series (from any protocol) into its queue form, applying
// the one set of name/label rules (shared/labels) and the sample bounds. Problems
// are appended to `rejected` with the item's path; what is valid is returned.
import type { Rejection } from "../../shared/contracts/ingest-json";
import type { QueueSeries } from "../../shared/contracts/queue";
import { checkLabelPairs, checkMetricName, normaliseLabels } from "../../shared/labels";
import type { TenantLimits } from "../../shared/limits";

export interface SampleBounds {
  minTs: number;
  maxTs: number;
}

export function sampleBounds(limits: TenantLimits, now: number): SampleBounds {
  return { minTs: now - limits.retentionDays * 86_400_000, maxTs: now + limits.maxFutureMs };
}

function describeTs(ts: number): string {
  return `${ts} (${new Date(ts).toISOString()})`;
}

/**
 * Samples need not be sorted; exact duplicates collapse, while two different
 * values for one timestamp reject the later one (Prometheus's "duplicate sample").
 */
export function buildSeries(
  path: string,
  name: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  limits: TenantLimits,
  bounds: SampleBounds,
  rejected: Rejection[],
  /** Index of each sample in the request, when some were dropped before this. */
  origin?: readonly number[],
): QueueSeries | null {
  const nameProblem = checkMetricName(name, limits);
  if (nameProblem) {
    rejected.push({ path, reason: nameProblem });
    return null;
  }
  const labelProblem = checkLabelPairs(pairs, limits);
  if (labelProblem) {
    rejected.push({ path: labelProblem.label ? `${path}.labels.${labelProblem.label}` : path, reason: labelProblem.reason });
    return null;
  }
  const n = timestamps.length;
  let order: number[] | null = null;
  for (let i = 1; i < n; i++) {
    if (timestamps[i] <= timestamps[i - 1]) {
      order = Array.from({ length: n }, (_, k) => k).sort((a, b) => timestamps[a] - timestamps[b]);
      break;
    }
  }
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    const t = timestamps[i];
    const v = values[i];
    const at = `${path}.samples[${origin ? origin[i] : i}]`;
    if (!Number.isSafeInteger(t)) {
      rejected.push({ path: at, reason: `timestamp ${t} is not an integer number of unix milliseconds` });
      continue;
    }
    if (t < bounds.minTs) {
      rejected.push({ path: at, reason: `timestamp ${describeTs(t)} is older than the retention of ${limits.retentionDays} days` });
      continue;
    }
    if (t > bounds.maxTs) {
      rejected.push({ path: at, reason: `timestamp ${describeTs(t)} is more than ${limits.maxFutureMs / 1000}s in the future; check the sender's clock and that timestamps are in milliseconds` });
      continue;
    }
    if (kept > 0 && ts[kept - 1] === t) {
      if (!Object.is(vs[kept - 1], v) && !(Number.isNaN(vs[kept - 1]) && Number.isNaN(v)))
        rejected.push({ path: at, reason: `duplicate sample for timestamp ${t} with a different value` });
      continue;
    }
    ts[kept] = t;
    vs[kept] = v;
    kept++;
  }
  if (kept === 0) return null;
  return {
    name,
    labels: normaliseLabels(pairs),
    timestamps: kept === n ? ts : ts.slice(0, kept),
    values: kept === n ? vs : vs.slice(0, kept),
  };
}
