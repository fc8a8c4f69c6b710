// Decoder for Prometheus remote_write 1.0 bodies: snappy block + protobuf
// prometheus.WriteRequest (field numbers in shared/protobuf/prompb.ts).
// The ingest hot path: one pass over the bytes, no intermediate objects, field
// keys compared as whole precomputed bytes, repeated label strings shared.
import type { RwLabel, RwMetadata, RwSample, RwTimeSeries, RwWriteRequest } from "../../../../shared/contracts/remote-write";
import { MAX_DECOMPRESSED_BYTES } from "../../../../shared/limits";
import { ProtobufDecodeError } from "../../../../shared/protobuf/errors";
import { LABEL, METRIC_METADATA, METRIC_TYPES, SAMPLE, TIME_SERIES, WRITE_REQUEST } from "../../../../shared/protobuf/prompb";
import { ProtoReader, wrongWireType } from "../../../../shared/protobuf/reader";
import { BytesCache, cachedString, decodeUtf8 } from "../../../../shared/protobuf/strings";
import { fieldKey, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../../../shared/protobuf/wire";
import { RemoteWriteDecodeError } from "./errors";
import { SnappyError, snappyDecompress } from "./snappy";

export { RemoteWriteDecodeError } from "./errors";

export interface DecodedWriteRequest extends RwWriteRequest {
  /** Native histogram samples (TimeSeries.histograms) skipped: not supported yet, the caller rejects them. */
  skippedHistogramSamples: number;
  /** Exemplars skipped (accepted and dropped). */
  skippedExemplars: number;
}

export interface DecodeOptions {
  /** Largest decompressed body accepted; default MAX_DECOMPRESSED_BYTES. */
  maxDecompressedBytes?: number;
}

// Whole keys (field << 3 | wire type) of every field we read, so the common case is one compare.
const K_WR_TIMESERIES = fieldKey(WRITE_REQUEST.timeseries, WIRE_LEN);
const K_WR_METADATA = fieldKey(WRITE_REQUEST.metadata, WIRE_LEN);
const K_TS_LABELS = fieldKey(TIME_SERIES.labels, WIRE_LEN);
const K_TS_SAMPLES = fieldKey(TIME_SERIES.samples, WIRE_LEN);
const K_TS_EXEMPLARS = fieldKey(TIME_SERIES.exemplars, WIRE_LEN);
const K_TS_HISTOGRAMS = fieldKey(TIME_SERIES.histograms, WIRE_LEN);
const K_LABEL_NAME = fieldKey(LABEL.name, WIRE_LEN);
const K_LABEL_VALUE = fieldKey(LABEL.value, WIRE_LEN);
const K_SAMPLE_VALUE = fieldKey(SAMPLE.value, WIRE_FIXED64);
const K_SAMPLE_TIMESTAMP = fieldKey(SAMPLE.timestamp, WIRE_VARINT);
const K_MD_TYPE = fieldKey(METRIC_METADATA.type, WIRE_VARINT);
const K_MD_FAMILY = fieldKey(METRIC_METADATA.metricFamilyName, WIRE_LEN);
const K_MD_HELP = fieldKey(METRIC_METADATA.help, WIRE_LEN);
const K_MD_UNIT = fieldKey(METRIC_METADATA.unit, WIRE_LEN);

// Field numbers as plain module constants: the hot loops below must not read
// through imported objects (tsx/CJS interop turns those reads into getters).
const F_WR_TIMESERIES = WRITE_REQUEST.timeseries;
const F_WR_METADATA = WRITE_REQUEST.metadata;
const F_TS_LABELS = TIME_SERIES.labels;
const F_TS_SAMPLES = TIME_SERIES.samples;
const F_TS_EXEMPLARS = TIME_SERIES.exemplars;
const F_TS_HISTOGRAMS = TIME_SERIES.histograms;
const F_LABEL_NAME = LABEL.name;
const F_LABEL_VALUE = LABEL.value;
const F_MD_HELP = METRIC_METADATA.help;

/** Decodes a remote_write HTTP body (snappy-compressed WriteRequest). Throws RemoteWriteDecodeError. */
export function decodeWriteRequest(body: Uint8Array, opts: DecodeOptions = {}): DecodedWriteRequest {
  const max = opts.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  let raw: Uint8Array;
  try {
    raw = snappyDecompress(body, max);
  } catch (e) {
    if (!(e instanceof SnappyError)) throw e;
    const kind = e.message.includes("exceeds the limit") ? "too_large" : "snappy";
    throw new RemoteWriteDecodeError(kind, `remote_write body is not valid snappy (block format): ${e.message}`);
  }
  return decodeWriteRequestProto(raw);
}

/** Decodes an uncompressed protobuf WriteRequest. Throws RemoteWriteDecodeError. */
export function decodeWriteRequestProto(buf: Uint8Array): DecodedWriteRequest {
  const r = new ProtoReader(buf);
  const caches: Caches = { strings: new BytesCache<string>(buf), labels: new BytesCache<RwLabel>(buf) };
  const out: DecodedWriteRequest = { timeseries: [], metadata: [], skippedHistogramSamples: 0, skippedExemplars: 0 };
  let inMetadata = false;
  try {
    const end = buf.length;
    while (r.pos < end) {
      const at = r.pos;
      const key = r.uint32(end);
      if (key === K_WR_TIMESERIES) {
        inMetadata = false;
        out.timeseries.push(readSeries(r, caches, r.lenEnd(end, F_WR_TIMESERIES), out));
      } else if (key === K_WR_METADATA) {
        inMetadata = true;
        out.metadata.push(readMetadata(r, caches.strings, r.lenEnd(end, F_WR_METADATA)));
      } else {
        other(r, key, at, end, "WriteRequest", WRITE_REQUEST);
      }
    }
  } catch (e) {
    if (!(e instanceof ProtobufDecodeError)) throw e;
    const where = inMetadata ? `metadata[${out.metadata.length}]` : `timeseries[${out.timeseries.length}]`;
    throw new RemoteWriteDecodeError("protobuf", `invalid remote_write protobuf: ${e.message} (while reading ${where})`, e.offset);
  }
  return out;
}

interface Caches {
  strings: BytesCache<string>;
  /** Whole Label messages: most series share most of their labels byte for byte. */
  labels: BytesCache<RwLabel>;
}

function readSeries(r: ProtoReader, caches: Caches, end: number, out: DecodedWriteRequest): RwTimeSeries {
  const labels: RwLabel[] = [];
  const samples: RwSample[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const key = r.uint32(end);
    if (key === K_TS_SAMPLES) {
      samples.push(readSample(r, r.lenEnd(end, F_TS_SAMPLES)));
    } else if (key === K_TS_LABELS) {
      const stop = r.lenEnd(end, F_TS_LABELS);
      const start = r.pos;
      let label = caches.labels.find(start, stop);
      if (label === undefined) {
        label = readLabel(r, caches.strings, stop);
        caches.labels.set(start, stop, label);
      }
      r.pos = stop;
      labels.push(label);
    } else if (key === K_TS_HISTOGRAMS) {
      // One Histogram message is one native histogram sample.
      r.pos = r.lenEnd(end, F_TS_HISTOGRAMS);
      out.skippedHistogramSamples++;
    } else if (key === K_TS_EXEMPLARS) {
      r.pos = r.lenEnd(end, F_TS_EXEMPLARS);
      out.skippedExemplars++;
    } else {
      other(r, key, at, end, "TimeSeries", TIME_SERIES);
    }
  }
  return { labels, samples };
}

function readLabel(r: ProtoReader, strings: BytesCache<string>, end: number): RwLabel {
  let name = "";
  let value = "";
  while (r.pos < end) {
    const at = r.pos;
    const key = r.uint32(end);
    if (key === K_LABEL_NAME) {
      const stop = r.lenEnd(end, F_LABEL_NAME);
      name = cachedString(strings, r.pos, stop);
      r.pos = stop;
    } else if (key === K_LABEL_VALUE) {
      const stop = r.lenEnd(end, F_LABEL_VALUE);
      value = cachedString(strings, r.pos, stop);
      r.pos = stop;
    } else {
      other(r, key, at, end, "Label", LABEL);
    }
  }
  // Frozen: one label object is shared by every series that sent the same bytes.
  return Object.freeze({ name, value });
}

function readSample(r: ProtoReader, end: number): RwSample {
  // proto3 leaves zero values out: a missing field means 0.
  let value = 0;
  let timestamp = 0;
  while (r.pos < end) {
    const at = r.pos;
    const key = r.uint32(end);
    if (key === K_SAMPLE_VALUE) value = r.double(end);
    else if (key === K_SAMPLE_TIMESTAMP) timestamp = r.int64(end);
    else other(r, key, at, end, "Sample", SAMPLE);
  }
  return { value, timestamp };
}

function readMetadata(r: ProtoReader, strings: BytesCache<string>, end: number): RwMetadata {
  let type = 0;
  let metricFamilyName = "";
  let help = "";
  let unit = "";
  while (r.pos < end) {
    const at = r.pos;
    const key = r.uint32(end);
    if (key === K_MD_TYPE) {
      type = r.int64(end);
    } else if (key === K_MD_FAMILY || key === K_MD_UNIT) {
      const stop = r.lenEnd(end, key >>> 3);
      const s = cachedString(strings, r.pos, stop);
      if (key === K_MD_FAMILY) metricFamilyName = s;
      else unit = s;
      r.pos = stop;
    } else if (key === K_MD_HELP) {
      const stop = r.lenEnd(end, F_MD_HELP);
      help = decodeUtf8(r.buf, r.pos, stop); // HELP texts rarely repeat: not worth caching
      r.pos = stop;
    } else {
      other(r, key, at, end, "MetricMetadata", METRIC_METADATA);
    }
  }
  // proto3 enums are open: a type this code does not know yet reads as "unknown".
  return { type: METRIC_TYPES[type] ?? "unknown", metricFamilyName, help, unit };
}

/** Any key not matched above: a known field with the wrong wire type fails, an unknown field is skipped. */
function other(r: ProtoReader, key: number, at: number, end: number, message: string, fields: Record<string, number>): void {
  const field = key >>> 3;
  const wireType = key & 7;
  if (field === 0) throw new ProtobufDecodeError(`${message} has invalid field number 0 at byte ${at}`, at);
  for (const name in fields) {
    if (fields[name] === field) throw wrongWireType(`${message}.${name}`, field, wireType, expectedWireType(message, name), at);
  }
  r.skip(wireType, field, end);
}

function expectedWireType(message: string, name: string): number {
  if (message === "Sample") return name === "value" ? WIRE_FIXED64 : WIRE_VARINT;
  if (message === "MetricMetadata" && name === "type") return WIRE_VARINT;
  return WIRE_LEN;
}
