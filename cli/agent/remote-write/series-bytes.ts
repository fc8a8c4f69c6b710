// A scrape's remote_write series, written straight to protobuf bytes: each
// series' labels are encoded once (when the target loop first sees it) and kept
// as bytes, so a scrape only appends those bytes and one sample per series. The
// buffer is reused from scrape to scrape; what it hands out is valid until the
// next reset(), so the sink must copy or compress it before returning.
import type { RwLabel } from "../../../shared/contracts/remote-write";
import { LABEL, SAMPLE, TIME_SERIES, WRITE_REQUEST } from "../../../shared/protobuf/prompb";
import { fieldKey, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../../shared/protobuf/wire";
import { ProtoWriter, varintSize } from "../../../shared/protobuf/writer";

const SERIES_KEY = fieldKey(WRITE_REQUEST.timeseries, WIRE_LEN);
const SAMPLE_KEY = fieldKey(TIME_SERIES.samples, WIRE_LEN);
const VALUE_KEY = fieldKey(SAMPLE.value, WIRE_FIXED64);
const TS_KEY = fieldKey(SAMPLE.timestamp, WIRE_VARINT);

/** The TimeSeries.labels fields of one series (labels sorted, __name__ included), as stored in the cache. */
export function encodeLabels(labels: readonly RwLabel[]): Uint8Array {
  const w = new ProtoWriter(256);
  for (const l of labels) {
    const m = w.beginMessage(TIME_SERIES.labels);
    if (l.name !== "") w.string(LABEL.name, l.name);
    if (l.value !== "") w.string(LABEL.value, l.value);
    w.endMessage(m);
  }
  return w.finish().slice();
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
  private buf = new Uint8Array(256 * 1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  /** End offset of each series written since reset(). */
  readonly ends: number[] = [];

  reset(): void {
    this.pos = 0;
    this.ends.length = 0;
  }

  /** WriteRequest.timeseries fields so far: a WriteRequest by itself, cut between series at `ends`. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
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
  series(labels: Uint8Array, value: number, timestamp: number): void {
    const odd = sampleBody(value, timestamp);
    const hasValue = !Object.is(value, 0);
    const sampleLen = odd ? odd.length : (hasValue ? 9 : 0) + (timestamp !== 0 ? 1 + varintSize(timestamp) : 0);
    const seriesLen = labels.length + 1 + varintSize(sampleLen) + sampleLen;
    this.ensure(1 + varintSize(seriesLen) + seriesLen);
    this.varint(SERIES_KEY);
    this.varint(seriesLen);
    this.buf.set(labels, this.pos);
    this.pos += labels.length;
    this.varint(SAMPLE_KEY);
    this.varint(sampleLen);
    if (odd) {
      this.buf.set(odd, this.pos);
      this.pos += odd.length;
    } else {
      if (hasValue) {
        this.buf[this.pos++] = VALUE_KEY;
        this.view.setFloat64(this.pos, value, true); // staleness NaNs keep their bits
        this.pos += 8;
      }
      if (timestamp !== 0) {
        this.buf[this.pos++] = TS_KEY;
        this.varint(timestamp);
      }
    }
    this.ends.push(this.pos);
  }
}
