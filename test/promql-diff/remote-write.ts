// Minimal Prometheus remote_write 1.0 encoder (protobuf WriteRequest + snappy
// block), enough to load the dataset into a real Prometheus with staleness
// markers intact (OpenMetrics text cannot carry the StaleNaN bit pattern).
import { compress } from "snappyjs";
import { isStaleNaN } from "../../shared/staleness";
import type { Labels } from "../../shared/labels";

class Writer {
  private buf: number[] = [];
  varint(v: number): void {
    while (v >= 0x80) {
      this.buf.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.buf.push(v);
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  bytes(field: number, b: Uint8Array | number[]): void {
    this.tag(field, 2);
    this.varint(b.length);
    for (const x of b) this.buf.push(x);
  }
  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }
  double(field: number, v: number): void {
    this.tag(field, 1);
    const dv = new DataView(new ArrayBuffer(8));
    if (isStaleNaN(v)) {
      // Write the exact StaleNaN bits (0x7ff0000000000002), little-endian.
      dv.setUint32(0, 0x00000002, true);
      dv.setUint32(4, 0x7ff00000, true);
    } else dv.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.buf.push(dv.getUint8(i));
  }
  int64(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }
  done(): number[] {
    return this.buf;
  }
}

export interface WriteSeries {
  labels: Labels;
  timestamps: number[];
  /** Float64Array keeps StaleNaN bits intact. */
  values: Float64Array;
}

export function encodeWriteRequest(series: WriteSeries[]): Uint8Array {
  const req = new Writer();
  for (const s of series) {
    const ts = new Writer();
    for (const name of Object.keys(s.labels).sort()) {
      const l = new Writer();
      l.string(1, name);
      l.string(2, s.labels[name]);
      ts.bytes(1, l.done());
    }
    for (let i = 0; i < s.timestamps.length; i++) {
      const smp = new Writer();
      smp.double(1, s.values[i]);
      smp.int64(2, s.timestamps[i]);
      ts.bytes(2, smp.done());
    }
    req.bytes(1, ts.done());
  }
  return compress(Uint8Array.from(req.done()));
}
