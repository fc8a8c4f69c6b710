// Encoder for the agent's remote_write 1.0 pushes: protobuf prometheus.WriteRequest
// (field numbers shared with the ingest decoder), snappy block-compressed.
import { compress } from "snappyjs";
import type { RwWriteRequest } from "../../../shared/contracts/remote-write";
import { LABEL, METRIC_METADATA, METRIC_TYPE_NUMBER, SAMPLE, TIME_SERIES, WRITE_REQUEST } from "../../../shared/protobuf/prompb";
import { ProtoWriter } from "../../../shared/protobuf/writer";

/** Headers every remote_write 1.0 POST carries (the spec requires all three). */
export const REMOTE_WRITE_HEADERS = {
  "Content-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
} as const;

/** The POST body: snappy-compressed protobuf, ready to send with REMOTE_WRITE_HEADERS. */
export function encodeWriteRequest(req: RwWriteRequest): Uint8Array {
  return compress(encodeWriteRequestProto(req));
}

/** The uncompressed protobuf WriteRequest. Like Go's protobuf, zero values are left out. */
export function encodeWriteRequestProto(req: RwWriteRequest): Uint8Array {
  const w = new ProtoWriter();
  for (const ts of req.timeseries) {
    const series = w.beginMessage(WRITE_REQUEST.timeseries);
    for (const l of ts.labels) {
      const m = w.beginMessage(TIME_SERIES.labels);
      if (l.name !== "") w.string(LABEL.name, l.name);
      if (l.value !== "") w.string(LABEL.value, l.value);
      w.endMessage(m);
    }
    for (const s of ts.samples) {
      const m = w.beginMessage(TIME_SERIES.samples);
      if (!Object.is(s.value, 0)) w.double(SAMPLE.value, s.value); // -0 keeps its sign bit
      if (s.timestamp !== 0) w.int64(SAMPLE.timestamp, s.timestamp);
      w.endMessage(m);
    }
    w.endMessage(series);
  }
  for (const md of req.metadata) {
    const m = w.beginMessage(WRITE_REQUEST.metadata);
    const type = METRIC_TYPE_NUMBER[md.type];
    if (type !== 0) w.int64(METRIC_METADATA.type, type);
    if (md.metricFamilyName !== "") w.string(METRIC_METADATA.metricFamilyName, md.metricFamilyName);
    if (md.help !== "") w.string(METRIC_METADATA.help, md.help);
    if (md.unit !== "") w.string(METRIC_METADATA.unit, md.unit);
    w.endMessage(m);
  }
  return w.finish();
}
