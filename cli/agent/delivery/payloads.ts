// Wire encodings of the two batch kinds, done once at enqueue time so the queue
// holds exactly the bytes that go on the wire (and staleness NaNs keep their bits).
import { gzipSync } from "node:zlib";
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

export function encodeLogs(records: RequestLogInput[]): Uint8Array {
  return gzipSync(JSON.stringify({ logs: records }), { level: 6 });
}
