import { readFileSync } from "node:fs";
import { compress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { encodeWriteRequest, encodeWriteRequestProto, REMOTE_WRITE_HEADERS } from "../../../../cli/agent/remote-write/encode";
import type { RwWriteRequest } from "../../../../shared/contracts/remote-write";
import { isStaleNaN, STALE_NAN } from "../../../../shared/staleness";
import { decodeWriteRequest, decodeWriteRequestProto, RemoteWriteDecodeError } from "./parse";
import { snappyDecompress, SnappyError } from "./snappy";

const testdata = (f: string) => new Uint8Array(readFileSync(new URL(`./testdata/${f}`, import.meta.url)));

function bits(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0).toString(16).padStart(16, "0");
}
function fromBits(hex: string): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt(`0x${hex}`));
  return dv.getFloat64(0);
}

// Hand-built protobuf for inputs our encoder would never produce.
function varint(n: number | bigint): number[] {
  let u = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}
const key = (field: number, wt: number) => varint((field << 3) | wt);
const ld = (field: number, ...body: number[][]): number[] => {
  const b = body.flat();
  return [...key(field, 2), ...varint(b.length), ...b];
};
const str = (field: number, s: string) => ld(field, [...new TextEncoder().encode(s)]);
const f64 = (field: number, v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...key(field, 1), ...b];
};
const proto = (...parts: number[][]) => new Uint8Array(parts.flat());

function decodeError(fn: () => unknown): RemoteWriteDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteWriteDecodeError);
    return e as RemoteWriteDecodeError;
  }
  throw new Error("expected a RemoteWriteDecodeError");
}

const sample: RwWriteRequest = {
  timeseries: [
    {
      labels: [
        { name: "__name__", value: "vllm:e2e_request_latency_seconds_count" },
        { name: "instance", value: "gpu-01:8000" },
        { name: "model_name", value: "meta-llama/Llama-3.1-70B-Instruct" },
        { name: "note", value: "größe 🚀 — ok" },
      ],
      samples: [
        { value: 1, timestamp: 1_700_000_000_000 },
        { value: 0, timestamp: 1_700_000_015_000 },
        { value: -0, timestamp: 0 },
        { value: 1.5e308, timestamp: 2 ** 53 - 1 },
        { value: 5e-324, timestamp: -1 },
        { value: -123.456, timestamp: -1_700_000_000_000 },
      ],
    },
    { labels: [{ name: "__name__", value: "up" }, { name: "empty", value: "" }], samples: [] },
    { labels: [], samples: [{ value: 42, timestamp: 1 }] },
  ],
  metadata: [
    { type: "counter", metricFamilyName: "vllm:prompt_tokens", help: "Prefill tokens.", unit: "tokens" },
    { type: "unknown", metricFamilyName: "", help: "", unit: "" },
  ],
};

describe("remote_write round trip", () => {
  it("decodes what the agent encodes", () => {
    const got = decodeWriteRequest(encodeWriteRequest(sample));
    expect(got).toEqual({ ...sample, skippedHistogramSamples: 0, skippedExemplars: 0 });
    expect(Object.is(got.timeseries[0].samples[2].value, -0)).toBe(true);
  });

  it("keeps every metric type", () => {
    const types = ["unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"] as const;
    const req: RwWriteRequest = {
      timeseries: [],
      metadata: types.map((type) => ({ type, metricFamilyName: `m_${type}`, help: `help ${type}`, unit: "seconds" })),
    };
    expect(decodeWriteRequest(encodeWriteRequest(req)).metadata).toEqual(req.metadata);
  });

  it("keeps NaN bits exactly: staleness marker, Prometheus NaN, a payload NaN; and ±Inf", () => {
    // Hex strings, not a number[]: V8 quiets signalling NaNs stored into a packed
    // double array (0x7ff0...02 becomes 0x7ff8...02), which would hide the very bug we test.
    const want = ["7ff0000000000002", "7ff8000000000001", "fff8000000000000", "7ff00000deadbeef", "7ff0000000000000", "fff0000000000000"];
    expect(bits(STALE_NAN)).toBe(want[0]);
    const req: RwWriteRequest = {
      timeseries: [{ labels: [{ name: "__name__", value: "x" }], samples: want.map((hex, i) => ({ value: fromBits(hex), timestamp: i + 1 })) }],
      metadata: [],
    };
    expect(req.timeseries[0].samples.map((s) => bits(s.value))).toEqual(want);
    const got = decodeWriteRequest(encodeWriteRequest(req)).timeseries[0].samples.map((s) => bits(s.value));
    expect(got).toEqual(want);
    expect(isStaleNaN(decodeWriteRequest(encodeWriteRequest(req)).timeseries[0].samples[0].value)).toBe(true);
  });

  it("encodes a large request with multi-byte lengths", () => {
    const req: RwWriteRequest = {
      timeseries: Array.from({ length: 300 }, (_, i) => ({
        labels: [{ name: "__name__", value: "m" }, { name: "long", value: "v".repeat(i * 10) }],
        samples: Array.from({ length: 50 }, (_, j) => ({ value: i * j, timestamp: 1_700_000_000_000 + j })),
      })),
      metadata: [{ type: "gauge", metricFamilyName: "m", help: "h".repeat(20_000), unit: "" }],
    };
    expect(decodeWriteRequest(encodeWriteRequest(req))).toEqual({ ...req, skippedHistogramSamples: 0, skippedExemplars: 0 });
  });

  it("shares one frozen label object between series that send the same label", () => {
    const req: RwWriteRequest = {
      timeseries: ["a", "b"].map((v) => ({ labels: [{ name: "job", value: "vllm" }, { name: "x", value: v }], samples: [] })),
      metadata: [],
    };
    const [a, b] = decodeWriteRequest(encodeWriteRequest(req)).timeseries;
    expect(a.labels[0]).toBe(b.labels[0]);
    expect(a.labels[1]).not.toBe(b.labels[1]);
    expect(Object.isFrozen(a.labels[0])).toBe(true);
  });

  it("exports the headers the spec requires", () => {
    expect(REMOTE_WRITE_HEADERS).toEqual({
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    });
  });
});

describe("remote_write decoder: fields it does not store", () => {
  it("skips unknown fields of every wire type in every message", () => {
    const unknown = [
      ...key(15, 0), ...varint(-5),
      ...key(16, 1), 1, 2, 3, 4, 5, 6, 7, 8,
      ...ld(17, [1, 2, 3]),
      ...key(18, 5), 1, 2, 3, 4,
    ];
    const body = proto(
      unknown,
      ld(2, str(1, "cortex source field, reserved")),
      ld(1, unknown, ld(1, str(1, "__name__"), unknown, str(2, "up")), ld(2, f64(1, 1), unknown, [...key(2, 0), ...varint(7)])),
      ld(3, [...key(1, 0), ...varint(2)], unknown, str(2, "up")),
    );
    expect(decodeWriteRequestProto(body)).toEqual({
      timeseries: [{ labels: [{ name: "__name__", value: "up" }], samples: [{ value: 1, timestamp: 7 }] }],
      metadata: [{ type: "gauge", metricFamilyName: "up", help: "", unit: "" }],
      skippedHistogramSamples: 0,
      skippedExemplars: 0,
    });
  });

  it("counts native histogram samples and exemplars", () => {
    const histogram = [...key(1, 0), ...varint(10), ...f64(3, 2.5), ...key(4, 0), ...varint(6), ...key(15, 0), ...varint(1_700_000_000_000)];
    const exemplar = [...ld(1, str(1, "trace_id"), str(2, "abc")), ...f64(2, 1), ...key(3, 0), ...varint(5)];
    const body = proto(
      ld(1, ld(1, str(1, "__name__"), str(2, "rpc_latency")), ld(4, histogram), ld(4, histogram), ld(3, exemplar)),
      ld(1, ld(1, str(1, "__name__"), str(2, "other")), ld(2, f64(1, 3)), ld(4, histogram)),
    );
    const got = decodeWriteRequestProto(body);
    expect(got.skippedHistogramSamples).toBe(3);
    expect(got.skippedExemplars).toBe(1);
    expect(got.timeseries.map((t) => t.samples.length)).toEqual([0, 1]);
  });

  it("reads a metadata type it does not know as unknown", () => {
    const body = proto(ld(3, [...key(1, 0), ...varint(42)], str(2, "a")), ld(3, [...key(1, 0), ...varint(-1)], str(2, "b")));
    expect(decodeWriteRequestProto(body).metadata.map((m) => m.type)).toEqual(["unknown", "unknown"]);
  });
});

describe("remote_write decoder: malformed input", () => {
  const good = () => [...encodeWriteRequestProto(sample)];

  it.each([
    ["not snappy at all", new TextEncoder().encode('{"timeseries":[]}'), "snappy"],
    ["empty body (no length preamble)", new Uint8Array(0), "snappy"],
    ["truncated snappy", compress(new Uint8Array(good())).subarray(0, 40), "snappy"],
    ["copy before the start of the output", new Uint8Array([10, 0b01_000_101, 5]), "snappy"],
    ["shorter than the preamble says", new Uint8Array([10, 0, 1]), "snappy"],
    ["longer than the preamble says", new Uint8Array([1, 4, 1, 2]), "snappy"],
    ["preamble over 32 bits", new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), "snappy"],
  ])("rejects %s", (_name, body, kind) => {
    const e = decodeError(() => decodeWriteRequest(body));
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^remote_write body is not valid snappy \(block format\): snappy: /);
  });

  it("rejects a body that decompresses past the limit before allocating it", () => {
    const body = encodeWriteRequest(sample);
    const e = decodeError(() => decodeWriteRequest(body, { maxDecompressedBytes: 100 }));
    expect(e.kind).toBe("too_large");
    expect(e.message).toMatch(/uncompressed length \d+ exceeds the limit of 100 bytes/);
  });

  // Snappy bombs: the declared length is checked before anything is allocated,
  // and no copy may write past it, so a body costs at most the cap.
  const preamble = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
    out.push(n);
    return out;
  };
  it("refuses a 4 GiB preamble at once", () => {
    const started = performance.now();
    const e = decodeError(() => decodeWriteRequest(new Uint8Array([...preamble(2 ** 32 - 1), 0])));
    expect(e.kind).toBe("too_large");
    expect(e.message).toMatch(/uncompressed length 4294967295 exceeds the limit of 33554432 bytes/);
    expect(performance.now() - started).toBeLessThan(50);
  });
  it("stops a run-length body at its declared length", () => {
    // One literal byte, then 64-byte copies at offset 1: 1 MB of them would expand to 64 MB.
    const copies = new Uint8Array(3 * 1_000_000);
    for (let i = 0; i < copies.length; i += 3) copies.set([(63 << 2) | 2, 1, 0], i);
    const body = new Uint8Array([...preamble(32 * 1024 * 1024), 0, 0x61, ...[]]);
    const bomb = new Uint8Array(body.length + copies.length);
    bomb.set(body);
    bomb.set(copies, body.length);
    const started = performance.now();
    const e = decodeError(() => decodeWriteRequest(bomb));
    expect(e.kind).toBe("snappy");
    expect(e.message).toMatch(/copy runs past the declared length/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it.each<[string, number[], RegExp]>([
    ["a truncated key varint", [0x8a], /^invalid remote_write protobuf: truncated varint at byte 0 \(while reading timeseries\[0\]\)$/],
    ["a truncated length", [0x0a, 0x80], /truncated varint at byte 1/],
    ["a length past the end", [0x0a, 0x05, 0x0a, 0x00], /field 1 at byte 1 declares 5 bytes but only 2 remain/],
    ["a truncated sample timestamp", ld(1, ld(2, [...key(2, 0), 0xff])), /truncated varint at byte 5 /],
    ["a truncated sample value", ld(1, ld(2, [...key(1, 1), 1, 2, 3])), /truncated fixed64 at byte 5 .*timeseries\[0\]/],
    ["timeseries sent as a varint", [...key(1, 0), 1], /WriteRequest.timeseries field 1 at byte 0 has wire type 0 \(varint\), expected 2 \(length-delimited\)/],
    ["Sample.value sent as a varint", ld(1, ld(2, [...key(1, 0), 1])), /Sample.value field 1 at byte 4 has wire type 0 \(varint\), expected 1 \(fixed64\)/],
    ["Label.name sent as fixed32", ld(1, ld(1, [...key(1, 5), 1, 2, 3, 4])), /Label.name field 1 at byte 4 has wire type 5 \(fixed32\), expected 2/],
    ["MetricMetadata.type sent as a string", ld(3, str(1, "counter")), /MetricMetadata.type field 1 at byte 2 has wire type 2 .*expected 0 \(varint\) \(while reading metadata\[0\]\)/],
    ["field number 0", [0x02, 0x00], /WriteRequest has invalid field number 0 at byte 0/],
    ["a proto2 group", [...key(9, 3)], /field 9 at byte 1 has unsupported wire type 3 \(start-group\)/],
    ["wire type 7", [...key(9, 7)], /field 9 at byte 1 has unsupported wire type 7$|unsupported wire type 7 /],
    ["a varint longer than 10 bytes", [...key(9, 0), ...Array(10).fill(0xff), 0x01], /varint at byte 1 is longer than 10 bytes/],
    ["a key over 32 bits", [0xff, 0xff, 0xff, 0xff, 0x7f], /varint at byte 0 does not fit in 32 bits/],
    ["invalid UTF-8 in a label value", ld(1, ld(1, str(1, "a"), ld(2, [0xc3, 0x28]))), /invalid UTF-8 in string field at byte 9/],
    ["invalid UTF-8 in HELP", ld(3, ld(4, [0xff])), /invalid UTF-8 in string field at byte 4 \(while reading metadata\[0\]\)/],
    ["garbage after a good request", [...good(), 0x0a], /truncated varint at byte \d+ \(while reading timeseries\[3\]\)/],
  ])("rejects %s", (_name, bytes, message) => {
    const e = decodeError(() => decodeWriteRequestProto(new Uint8Array(bytes)));
    expect(e.kind).toBe("protobuf");
    expect(e.message).toMatch(message);
    // The same bytes behind snappy fail the same way.
    expect(decodeError(() => decodeWriteRequest(compress(new Uint8Array(bytes)))).message).toBe(e.message);
  });
});

describe("snappy block decompressor", () => {
  it("matches snappyjs's compressor on literal-heavy, repetitive and overlapping inputs", () => {
    let seed = 1;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const inputs = [
      new Uint8Array(0),
      new Uint8Array([7]),
      new Uint8Array(100_000).map(() => (rand() * 256) | 0), // long literals (4-byte lengths)
      new Uint8Array(70_000).fill(0x61), // long overlapping copies
      new TextEncoder().encode("abcabcabcX".repeat(5000) + "job=vllm,instance=gpu-1".repeat(300)),
      new Uint8Array(200_000).map((_, i) => (i % 1000 < 500 ? i & 0xff : (rand() * 4) | 0)), // copies at 2- and 4-byte offsets
    ];
    for (const input of inputs) expect(snappyDecompress(compress(input), 1 << 30)).toEqual(input);
  });

  it("throws SnappyError, not a RangeError, on a copy past the declared length", () => {
    expect(() => snappyDecompress(new Uint8Array([2, 0, 0x61, 0b01_000_101, 1]), 100)).toThrow(SnappyError);
  });
});

describe("golden: bodies sent by a real Prometheus 2.42", () => {
  const nameOf = (t: { labels: { name: string; value: string }[] }) => t.labels.find((l) => l.name === "__name__")?.value;

  it("reads samples, labels, ±Inf, NaN and UTF-8 values", () => {
    const req = decodeWriteRequest(testdata("prometheus-2.42-values.snappy"));
    expect(req.timeseries).toHaveLength(80);
    expect(req.timeseries.every((t) => t.samples.length === 1)).toBe(true);
    expect(req.metadata).toHaveLength(0);
    expect(req.skippedHistogramSamples + req.skippedExemplars).toBe(0);
    const special = req.timeseries.filter((t) => nameOf(t) === "fixture_special").slice(0, 4);
    expect(special.map((t) => t.labels.map((l) => `${l.name}=${l.value}`))).toEqual([
      ["__name__=fixture_special", "cluster=fixture", "instance=127.0.0.1:19091", "job=vllm", "kind=pos_inf"],
      ["__name__=fixture_special", "cluster=fixture", "instance=127.0.0.1:19091", "job=vllm", "kind=neg_inf"],
      ["__name__=fixture_special", "cluster=fixture", "instance=127.0.0.1:19091", "job=vllm", "kind=nan"],
      ["__name__=fixture_special", "cluster=fixture", "instance=127.0.0.1:19091", "job=vllm", "kind=utf8", "note=größe 🚀"],
    ]);
    expect(special.map((t) => bits(t.samples[0].value))).toEqual([
      "7ff0000000000000", "fff0000000000000", "7ff8000000000001", "3ff8000000000000", // NaN is Prometheus's value.NormalNaN
    ]);
    expect(special[0].samples[0].timestamp).toBe(1795371231509);
    const vllm = req.timeseries.filter((t) => nameOf(t) === "vllm:prompt_tokens_total");
    expect(vllm.map((t) => t.samples[0].value)).toEqual([2000, 3000]);
    expect(vllm[0].labels.find((l) => l.name === "model_name")?.value).toBe("meta-llama/Llama-3.1-8B-Instruct");
    const names = new Set(req.timeseries.map(nameOf));
    expect([...names]).toEqual(expect.arrayContaining(["up", "go_goroutines", "scrape_duration_seconds", "prometheus_http_requests_total"]));
  });

  it("reads staleness markers bit for bit", () => {
    const req = decodeWriteRequest(testdata("prometheus-2.42-stale.snappy"));
    expect(req.timeseries).toHaveLength(74);
    const stale = req.timeseries.filter((t) => isStaleNaN(t.samples[0].value));
    expect(stale.map((t) => nameOf(t)).sort()).toEqual([
      "fixture_special", "fixture_special", "fixture_special", "fixture_special",
      "vllm:num_requests_running", "vllm:prompt_tokens_total",
    ]);
    expect(stale.every((t) => t.labels.some((l) => l.name === "job" && l.value === "vllm"))).toBe(true);
    const up = req.timeseries.filter((t) => nameOf(t) === "up" && t.labels.some((l) => l.value === "vllm"));
    expect(up.map((t) => t.samples[0].value)).toEqual([0, 0]);
  });

  it("reads metadata", () => {
    const req = decodeWriteRequest(testdata("prometheus-2.42-metadata.snappy"));
    expect(req.timeseries).toHaveLength(0);
    expect(req.metadata).toHaveLength(200);
    const byName = new Map(req.metadata.map((m) => [m.metricFamilyName, m]));
    expect(byName.get("vllm:prompt_tokens_total")).toEqual({
      type: "counter", metricFamilyName: "vllm:prompt_tokens_total", help: "Number of prefill tokens processed.", unit: "",
    });
    expect(byName.get("vllm:num_requests_running")?.type).toBe("gauge");
    expect(byName.get("go_goroutines")).toEqual({
      type: "gauge", metricFamilyName: "go_goroutines", help: "Number of goroutines that currently exist.", unit: "",
    });
    expect(new Set(req.metadata.map((m) => m.type))).toEqual(new Set(["gauge", "counter", "summary", "histogram"]));
  });

  it("re-encodes to the same protobuf Prometheus sent", () => {
    for (const f of ["prometheus-2.42-values.snappy", "prometheus-2.42-stale.snappy", "prometheus-2.42-metadata.snappy"]) {
      const raw = snappyDecompress(testdata(f), 1 << 20);
      expect(encodeWriteRequestProto(decodeWriteRequestProto(raw))).toEqual(raw);
    }
  });
});
