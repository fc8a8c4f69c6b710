// Wire encodings of the two batch kinds, done once at enqueue time so the queue
// holds exactly the bytes that go on the wire (and staleness NaNs keep their bits).
import { gzipSync } from "node:zlib";
import { compress } from "snappyjs";
import type { RwWriteRequest } from "../../../shared/contracts/remote-write";
import type { RequestLogInput } from "../../../shared/logs/record";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../remote-write/encode";
import type { BatchKind } from "./disk-queue";

export const PAYLOAD_HEADERS: Record<BatchKind, Record<string, string>> = {
  metrics: { ...REMOTE_WRITE_HEADERS },
  logs: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
};

export function encodeMetrics(req: RwWriteRequest): Uint8Array {
  return encodeWriteRequest(req);
}

/**
 * A body from WriteRequest fields already encoded (the target loop's series,
 * then its metadata): protobuf merges concatenated messages, so the two parts
 * are one WriteRequest.
 */
export function encodeMetricsProto(series: Uint8Array, metadata?: Uint8Array): Uint8Array {
  if (!metadata || metadata.length === 0) return compress(series);
  const whole = new Uint8Array(series.length + metadata.length);
  whole.set(series);
  whole.set(metadata, series.length);
  return compress(whole);
}

export function encodeLogs(records: RequestLogInput[]): Uint8Array {
  return encodeLogRecordsJson(records.map((r) => JSON.stringify(r)));
}

/**
 * The same body from records already in JSON, one string each (the log tail keeps them so).
 * Level 1: a batch of 1,000 LiteLLM records (427 KB of JSON) takes 0.5-0.6 ms and
 * 10.1 KB against 1.8-2.7 ms and 9.9 KB at level 6 (the default): at 1,000 lines/s
 * that is ~0.2% of a core saved for 2.4% more bytes on the wire.
 */
export function encodeLogRecordsJson(records: string[]): Uint8Array {
  return gzipSync(`{"logs":[${records.join(",")}]}`, { level: 1 });
}
