// Hostile remote_write bodies (through the agent's encoder, then bit flips in
// the snappy or the protobuf, truncations, random bytes, handcrafted snappy
// headers), gzip/deflate variants of JSON bodies, and header variants.
import { gzipSync, deflateSync, deflateRawSync } from "node:zlib";
import { compress } from "snappyjs";
import { encodeWriteRequestProto, REMOTE_WRITE_HEADERS } from "../../../cli/agent/remote-write/encode";
import type { RwTimeSeries, RwWriteRequest } from "../../../shared/contracts/remote-write";
import { STALE_NAN } from "../../../shared/staleness";
import { gzipBomb } from "./bombs";
import type { Companion } from "./fuzz-case";
import { flipBits, truncate, type Rand } from "./rand";

export interface WireBody {
  body: Uint8Array;
  headers: Record<string, string>;
  companions: Companion[];
  what: string;
}

function series(r: Rand, name: string, t: number, hostile: boolean): RwTimeSeries {
  const labels = [{ name: "__name__", value: name }, { name: "job", value: "fuzz" }];
  if (hostile) {
    const v = r.weighted<() => string>([[2, () => r.oddString()], [1, () => "x".repeat(r.pick([2048, 2049, 10_000]))], [1, () => ""]])();
    labels.push(r.weighted<() => { name: string; value: string }>([
      [3, () => ({ name: "v", value: v })],
      [1, () => ({ name: r.pick(["bad-name", "__reserved", "0x", "", "é"]), value: "x" })],
      [1, () => ({ name: "job", value: "dup" })],
    ])());
  }
  const value = hostile ? r.pick([NaN, Infinity, -Infinity, STALE_NAN, -0, 1e308, 5e-324, 1]) : 1;
  const ts = hostile ? r.pick([t, 0, -1, 2 ** 53, t + 3_600_000, t - 400 * 86_400_000]) : t;
  return { labels: labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), samples: [{ value, timestamp: ts }] };
}

/** A remote_write body: valid with one hostile series and a marker, or corrupted bytes. */
export function remoteWriteBody(r: Rand, marker: string, now: number): WireBody {
  const t = now - r.int(1_000, 60_000);
  const ts = [series(r, "fz_rw_metric", t, true), series(r, marker, t, false)];
  const hostileFirst = r.chance(0.5);
  const req: RwWriteRequest = {
    timeseries: hostileFirst ? ts : [ts[1], ts[0]],
    metadata: r.chance(0.3) ? [{ type: r.pick(["gauge", "counter", "unknown"] as const), metricFamilyName: r.pick(["fz_rw_metric", marker, "", r.oddString()]), help: r.pick(["h", r.oddString(), "x".repeat(5000)]), unit: r.pick(["", "seconds", r.oddString()]) }] : [],
  };
  const proto = encodeWriteRequestProto(req);
  const markerPath = `timeseries[${hostileFirst ? 1 : 0}]`;
  const kind = r.weighted<string>([[3, "valid"], [4, "flip-snappy"], [3, "flip-proto"], [2, "truncate-snappy"], [1, "truncate-proto"], [1, "random"], [1, "random-snappy"], [1, "snappy-header"]]);
  const headers = { ...REMOTE_WRITE_HEADERS };
  const out = (body: Uint8Array, companions: Companion[] = []): WireBody => ({ body, headers, companions, what: `remote_write ${kind} (${body.length} bytes)` });
  switch (kind) {
    case "valid":
      return out(compress(proto), [{ kind: "series", id: marker, path: markerPath }]);
    case "flip-snappy":
      return out(flipBits(r, compress(proto), r.int(1, 8)));
    case "flip-proto":
      return out(compress(flipBits(r, proto, r.int(1, 8))));
    case "truncate-snappy":
      return out(truncate(r, compress(proto)));
    case "truncate-proto":
      return out(compress(truncate(r, proto)));
    case "random":
      return out(r.bytes(r.int(0, 2000)));
    case "random-snappy":
      return out(compress(r.bytes(r.int(0, 2000))));
    default: {
      // A snappy preamble (uncompressed length, varint) that lies.
      const lie = r.pick([[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x00], [0xff, 0xff, 0xff, 0x7f]]);
      return out(new Uint8Array([...lie, ...compress(proto).slice(1)]));
    }
  }
}

/** A JSON body sent compressed, or compressed wrongly. */
export function compressedVariant(r: Rand, json: string): { body: Uint8Array; encoding: string; what: string; intact: boolean } {
  const raw = Buffer.from(json);
  const kind = r.weighted<string>([[3, "gzip"], [2, "deflate"], [1, "raw-deflate"], [2, "truncated-gzip"], [2, "flipped-gzip"], [1, "double-gzip"], [1, "bomb"], [1, "mislabelled"], [1, "unknown"]]);
  switch (kind) {
    case "gzip":
      return { body: gzipSync(raw), encoding: r.pick(["gzip", "GZIP", " gzip "]), what: "gzip", intact: true };
    case "deflate":
      return { body: deflateSync(raw), encoding: "deflate", what: "deflate (zlib)", intact: true };
    case "raw-deflate":
      return { body: deflateRawSync(raw), encoding: "deflate", what: "raw deflate labelled deflate", intact: false };
    case "truncated-gzip": {
      const g = gzipSync(raw);
      return { body: g.subarray(0, r.int(0, g.length - 1)), encoding: "gzip", what: "truncated gzip", intact: false };
    }
    case "flipped-gzip":
      return { body: flipBits(r, gzipSync(raw), r.int(1, 4)), encoding: "gzip", what: "gzip with flipped bits", intact: false };
    case "double-gzip":
      return { body: gzipSync(gzipSync(raw)), encoding: "gzip", what: "gzip of gzip", intact: false };
    case "bomb":
      return { body: gzipBomb(r.pick([40, 64, 128])), encoding: "gzip", what: "small gzip bomb", intact: false };
    case "mislabelled":
      return { body: raw, encoding: "gzip", what: "plain JSON labelled gzip", intact: false };
    default:
      return { body: gzipSync(raw), encoding: r.pick(["br", "zstd", "x-gzip", "gzip, identity", "snappy", "compress"]), what: "unsupported encoding", intact: false };
  }
}

/** Header variants on an otherwise valid request: content type, auth, encodings, odd extras. */
export function headerVariant(r: Rand, key: string, contentType: string): { headers: Record<string, string>; what: string; authOk: boolean } {
  const kind = r.weighted<string>([[3, "content-type"], [3, "auth"], [1, "rw-version"], [1, "idempotency"], [1, "long"]]);
  const base = { authorization: `Bearer ${key}`, "content-type": contentType };
  switch (kind) {
    case "content-type": {
      const ct = r.pick(["", "text/plain", "application/json; charset=utf-16", "APPLICATION/JSON", "application/json;;", "application/x-protobuf", "multipart/form-data; boundary=x", "application/jsonx", "*/*"]);
      return { headers: { ...base, "content-type": ct }, what: `content-type ${JSON.stringify(ct)}`, authOk: true };
    }
    case "auth": {
      const a = r.pick(["", "Bearer", `Bearer ${key}x`, `bearer ${key}`, `Basic ${btoa(`u:${key}`)}`, "Basic !!!!", "Token abc", `Bearer ${"k".repeat(4000)}`, `Bearer ${key} extra`]);
      return { headers: { ...base, authorization: a }, what: `authorization ${JSON.stringify(a.slice(0, 40))}`, authOk: a === `bearer ${key}` || a === `Basic ${btoa(`u:${key}`)}` };
    }
    case "rw-version":
      return { headers: { ...base, "x-prometheus-remote-write-version": r.pick(["2.0.0", "0.1.0", "garbage", ""]) }, what: "remote-write version header", authOk: true };
    case "idempotency":
      return { headers: { ...base, "idempotency-key": r.pick(["", "x".repeat(5000), "a b c", "../../etc", "%00"]) }, what: "idempotency-key", authOk: true };
    default:
      return { headers: { ...base, "x-fuzz": "y".repeat(r.pick([100, 8000, 30_000])) }, what: "long extra header", authOk: true };
  }
}
