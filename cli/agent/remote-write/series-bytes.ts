// A scrape's remote_write series, written straight to protobuf bytes: each
// series' labels are encoded once (when the target loop first sees it) and kept
// as bytes, so a scrape only appends those bytes and one sample per series. The
// buffer is reused from scrape to scrape; what it hands out is valid until the
// next reset(), so the sink must copy or compress it before returning.
//
// Encoded labels are kept as latin1 strings (one char per byte), not
// Uint8Arrays: 20,000 series of small typed arrays were 20,000 off-heap
// allocations (several MB of RSS outside the V8 heap); one-byte strings live
// compactly in the heap and are copied into the buffer natively.
import type { RwLabel } from "../../../shared/contracts/remote-write";
import { LABEL, SAMPLE, TIME_SERIES, WRITE_REQUEST } from "../../../shared/protobuf/prompb";
import { fieldKey, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../../shared/protobuf/wire";
import { ProtoWriter, varintSize } from "../../../shared/protobuf/writer";

const SERIES_KEY = fieldKey(WRITE_REQUEST.timeseries, WIRE_LEN);
const SAMPLE_KEY = fieldKey(TIME_SERIES.samples, WIRE_LEN);
const VALUE_KEY = fieldKey(SAMPLE.value, WIRE_FIXED64);
const TS_KEY = fieldKey(SAMPLE.timestamp, WIRE_VARINT);

/** Encoded bytes held as a latin1 string (see above). */
export type EncodedLabels = string;

/** The TimeSeries.labels fields of one series (labels sorted, __name__ included), as stored in the cache. */
export function encodeLabels(labels: readonly RwLabel[]): EncodedLabels {
  const w = new ProtoWriter(256);
  for (const l of labels) {
    const m = w.beginMessage(TIME_SERIES.labels);
    if (l.name !== "") w.string(LABEL.name, l.name);
    if (l.value !== "") w.string(LABEL.value, l.value);
    w.endMessage(m);
  }
  return Buffer.from(w.finish()).toString("latin1");
}

/** One Sample message body; negative timestamps (ten-byte varints) go through ProtoWriter. */
function sampleBody(value: number, timestamp: number): Uint8Array | null {
  if (timestamp >= 0) return null;
  const w = new ProtoWriter(32);
  if (!Object.is(value, 0)) w.double(SAMPLE.value, value);
  w.int64(SAMPLE.timestamp, timestamp);
  return w.finish();
}

export class SeriesBytes {
  private buf = Buffer.allocUnsafeSlow(256 * 1024);
  private pos = 0;
  /** End offset of each series written since reset(). */
  readonly ends: number[] = [];

  reset(): void {
    this.pos = 0;
    this.ends.length = 0;
  }

  /** WriteRequest.timeseries fields so far: a WriteRequest by itself, cut between series at `ends`. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private varint(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** One series with one sample; like Go's protobuf, zero values are left out (-0 keeps its sign bit). */
  series(labels: EncodedLabels, value: number, timestamp: number): void {
    const odd = sampleBody(value, timestamp);
    const hasValue = !Object.is(value, 0);
    const sampleLen = odd ? odd.length : (hasValue ? 9 : 0) + (timestamp !== 0 ? 1 + varintSize(timestamp) : 0);
    const seriesLen = labels.length + 1 + varintSize(sampleLen) + sampleLen;
    this.ensure(1 + varintSize(seriesLen) + seriesLen);
    this.varint(SERIES_KEY);
    this.varint(seriesLen);
    this.pos += this.buf.write(labels, this.pos, "latin1");
    this.varint(SAMPLE_KEY);
    this.varint(sampleLen);
    if (odd) {
      this.buf.set(odd, this.pos);
      this.pos += odd.length;
    } else {
      if (hasValue) {
        this.buf[this.pos++] = VALUE_KEY;
        this.pos = this.buf.writeDoubleLE(value, this.pos); // staleness NaNs keep their bits
      }
      if (timestamp !== 0) {
        this.buf[this.pos++] = TS_KEY;
        this.varint(timestamp);
      }
    }
    this.ends.push(this.pos);
  }
}
