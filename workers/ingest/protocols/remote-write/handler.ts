// POST /api/v1/write: Prometheus remote_write 1.0. Valid series are stored
// even when others are rejected; the answer is then 400 listing the rejected
// ones, which senders log and do not retry (the spec's rule for bad data).
import type { Context } from "hono";
import type { Rejection } from "../../../../shared/contracts/ingest-json";
import type { QueueMetadata, QueueSeries } from "../../../../shared/contracts/queue";
import type { IngestEnv } from "../../../../shared/env";
import type { AppEnv } from "../../../../shared/http/context";
import { checkMetadata, NAME_LABEL } from "../../../../shared/labels";
import type { TenantLimits } from "../../../../shared/limits";
import { mediaType, readBody } from "../../body";
import { admitAndEnqueue, type ValidatedMetrics } from "../../admission";
import { batchIdOf } from "../../idempotency";
import { IngestProblem } from "../../problem";
import { buildSeries, sampleBounds } from "../../series-builder";
import { decodeWriteRequest, RemoteWriteDecodeError, type DecodedWriteRequest } from "./parse";

type Ctx = Context<AppEnv<IngestEnv>>;

function checkProtocol(req: Request): void {
  const type = mediaType(req);
  const full = req.headers.get("content-type") ?? "";
  const version = req.headers.get("x-prometheus-remote-write-version") ?? "";
  if (/proto=io\.prometheus\.write\.v2/.test(full) || version.startsWith("2."))
    throw new IngestProblem(415, "remote_write 2.0 is not supported yet; configure the sender for remote_write 1.0 (prometheus.WriteRequest)");
  if (type !== "application/x-protobuf")
    throw new IngestProblem(415, `unsupported Content-Type ${JSON.stringify(type || "(none)")}: remote_write sends application/x-protobuf`);
  const encoding = (req.headers.get("content-encoding") ?? "").toLowerCase();
  if (encoding !== "snappy")
    throw new IngestProblem(415, `unsupported Content-Encoding ${JSON.stringify(encoding || "(none)")}: remote_write bodies are snappy-compressed (Content-Encoding: snappy)`);
}

function describe(labels: { name: string; value: string }[]): string {
  const name = labels.find((l) => l.name === NAME_LABEL)?.value ?? "";
  const rest = labels.filter((l) => l.name !== NAME_LABEL).map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  return `${name}{${rest.join(", ")}}`.slice(0, 512);
}

export function toQueueSeries(req: DecodedWriteRequest, limits: TenantLimits, now: number): ValidatedMetrics {
  const rejected: Rejection[] = [];
  const bounds = sampleBounds(limits, now);
  const series: QueueSeries[] = [];
  const paths: string[] = [];
  let samples = 0;
  if (req.timeseries.length > limits.maxSeriesPerRequest)
    throw new IngestProblem(400, `request has ${req.timeseries.length} series, over the limit of ${limits.maxSeriesPerRequest}; lower queue_config.max_samples_per_send`);
  for (let i = 0; i < req.timeseries.length; i++) {
    const ts = req.timeseries[i];
    const path = `timeseries[${i}]`;
    const nameLabels = ts.labels.filter((l) => l.name === NAME_LABEL);
    if (nameLabels.length !== 1) {
      rejected.push({ path, reason: `${describe(ts.labels)}: ${nameLabels.length ? "more than one" : "no"} __name__ label` });
      continue;
    }
    const n = ts.samples.length;
    if (n === 0) continue;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      times[j] = ts.samples[j].timestamp;
      values[j] = ts.samples[j].value;
    }
    const pairs = ts.labels.filter((l) => l.name !== NAME_LABEL).map((l) => [l.name, l.value] as const);
    const before = rejected.length;
    const built = buildSeries(path, nameLabels[0].value, pairs, times, values, limits, bounds, rejected);
    // Name the series in its problems: senders log our message, not their indices.
    for (let k = before; k < rejected.length; k++) rejected[k].reason = `${describe(ts.labels)}: ${rejected[k].reason}`;
    if (!built) continue;
    series.push(built);
    paths.push(`${path} ${describe(ts.labels)}`);
    samples += built.timestamps.length;
  }
  if (req.skippedHistogramSamples > 0)
    rejected.push({ path: "timeseries[*].histograms", reason: `${req.skippedHistogramSamples} native histogram sample(s) dropped: native histograms are not supported yet; send classic histograms` });
  const metadata: QueueMetadata[] = [];
  req.metadata.forEach((m, i) => {
    const md = { name: m.metricFamilyName, type: m.type, help: m.help, unit: m.unit };
    const problem = checkMetadata(md, limits);
    if (problem) rejected.push({ path: `metadata[${i}]`, reason: `${md.name || "(no metric family name)"}: ${problem}` });
    else metadata.push(md);
  });
  return { series, paths, metadata, rejected, samples };
}

export async function remoteWriteRoute(c: Ctx) {
  checkProtocol(c.req.raw);
  const principal = c.get("principal");
  const batchId = batchIdOf(c.req.raw, "metrics");
  const { bytes } = await readBody(c.req.raw, ["snappy"]);
  let decoded: DecodedWriteRequest;
  try {
    decoded = decodeWriteRequest(bytes);
  } catch (err) {
    if (err instanceof RemoteWriteDecodeError) throw new IngestProblem(err.kind === "too_large" ? 413 : 400, err.message);
    throw err;
  }
  const answer = await admitAndEnqueue(c, batchId, toQueueSeries(decoded, principal.limits, Date.now()));
  if (answer.status === 202) return c.body(null, 204);
  return c.json(answer.body, answer.status);
}
