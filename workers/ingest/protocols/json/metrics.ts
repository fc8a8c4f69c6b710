// POST /v1/metrics body → queue series. Shape by zod, rules by series-builder.
import { MetricsBodySchema, SampleSchema, SeriesSchema, type Rejection } from "../../../../shared/contracts/ingest-json";
import type { QueueMetadata, QueueSeries } from "../../../../shared/contracts/queue";
import type { ValidatedMetrics } from "../../admission";
import type { TenantLimits } from "../../../../shared/limits";
import { checkMetadata } from "../../../../shared/labels";
import { IngestProblem } from "../../problem";
import { buildSeries, sampleBounds } from "../../series-builder";
import { duplicateKeyRejections } from "./duplicate-keys";
import { zodReason } from "./zod-reason";


const SPECIAL: Record<string, number> = { NaN: NaN, "+Inf": Infinity, Inf: Infinity, "-Inf": -Infinity };

export function parseMetricsJson(text: string, value: unknown, limits: TenantLimits, now: number): ValidatedMetrics {
  const body = MetricsBodySchema.safeParse(value);
  if (!body.success) throw new IngestProblem(400, `invalid metrics batch: ${zodReason(body.error)}; expected {"series":[{"name":...,"labels":{...},"samples":[[unixMs, value], ...]}]}`);
  const items = body.data.series;
  if (items.length > limits.maxSeriesPerRequest)
    throw new IngestProblem(400, `batch has ${items.length} series, over the limit of ${limits.maxSeriesPerRequest} per request; split it`);

  const rejected: Rejection[] = [];
  const skip = duplicateKeyRejections(text, "series", "each label may appear once", rejected);

  const bounds = sampleBounds(limits, now);
  const series: QueueSeries[] = [];
  const paths: string[] = [];
  const metadata = new Map<string, QueueMetadata>();
  let samples = 0;
  let seen = 0;
  for (let i = 0; i < items.length; i++) {
    const path = `series[${i}]`;
    if (skip.has(i)) continue;
    const parsed = SeriesSchema.safeParse(items[i]);
    if (!parsed.success) {
      rejected.push({ path, reason: zodReason(parsed.error) });
      continue;
    }
    const s = parsed.data;
    const md = s.type !== undefined || s.help !== undefined || s.unit !== undefined ? { name: s.name, type: s.type ?? "unknown", help: s.help ?? "", unit: s.unit ?? "" } : null;
    const mdProblem = md && checkMetadata(md, limits);
    if (mdProblem) {
      rejected.push({ path, reason: mdProblem });
      continue;
    }
    seen += s.samples.length;
    if (seen > limits.maxSamplesPerRequest)
      throw new IngestProblem(400, `batch has more than ${limits.maxSamplesPerRequest} samples, the limit per request; split it`);
    const ts: number[] = [];
    const vs: number[] = [];
    const origin: number[] = [];
    for (let j = 0; j < s.samples.length; j++) {
      const sample = SampleSchema.safeParse(s.samples[j]);
      if (!sample.success) {
        rejected.push({ path: `${path}.samples[${j}]`, reason: `${zodReason(sample.error)}; a sample is [unixMs, value] with value a number or "NaN", "+Inf", "-Inf"` });
        continue;
      }
      const [t, v] = sample.data;
      ts.push(t);
      vs.push(typeof v === "number" ? v : SPECIAL[v]);
      origin.push(j);
    }
    if (ts.length === 0) continue;
    const built = buildSeries(path, s.name, Object.entries(s.labels), ts, vs, limits, bounds, rejected, origin);
    if (!built) continue;
    series.push(built);
    paths.push(path);
    samples += built.timestamps.length;
    if (md) metadata.set(s.name, md);
  }
  return { series, paths, metadata: [...metadata.values()], rejected, samples };
}
