// Deterministic dataset for the PromQL differential test: counters with resets,
// gauges, classic histograms, gappy series, series that go stale (and some that
// come back), integer-valued series, odd values (NaN, ±Inf) and scrape jitter.
// Reusable: anything that can ingest {labels, timestamps, values} can load it.
import { STALE_NAN } from "../../shared/staleness";
import type { Labels } from "../../shared/labels";
import { rng } from "../../scripts/lib/rng";

export interface DatasetSeries {
  labels: Labels;
  timestamps: number[];
  /** A Float64Array: plain JS arrays canonicalise NaN bits and would lose StaleNaN markers. */
  values: Float64Array;
}

interface RawSeries {
  labels: Labels;
  timestamps: number[];
  values: number[];
  /** Indexes whose value is a staleness marker. */
  stale?: number[];
}

export interface Dataset {
  /** First sample time (unix ms). */
  start: number;
  /** Last sample time (unix ms). */
  end: number;
  /** Scrape interval (ms). */
  interval: number;
  series: DatasetSeries[];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export const DATASET_START = 1_700_000_000_000; // 2023-11-14T22:13:20Z, deliberately not minute-aligned
export const DATASET_INTERVAL = 15_000;
export const DATASET_POINTS = 720; // 3 hours

export function generateDataset(seed = 42): Dataset {
  const r = rng(seed);
  const start = DATASET_START;
  const interval = DATASET_INTERVAL;
  const n = DATASET_POINTS;
  const series: RawSeries[] = [];
  /** Scrape times for one target: 15s apart with up to ±jitter ms. */
  const times = (jitter: number) => Array.from({ length: n }, (_, i) => start + i * interval + (jitter ? Math.round((r() - 0.5) * 2 * jitter) : 0));

  // Counters with occasional resets.
  for (const job of ["api", "web"])
    for (let inst = 0; inst < 5; inst++)
      for (const method of ["GET", "POST"])
        for (const status of ["200", "500"]) {
          const ts = times(inst % 2 === 0 ? 0 : 400);
          let v = round3(r() * 1000);
          const rate = (status === "200" ? 20 : 1) * (0.5 + r()) * (method === "GET" ? 2 : 1);
          const values = ts.map(() => {
            if (r() < 0.004) v = round3(r() * 5); // restart
            else v = round3(v + r() * rate * 15);
            return v;
          });
          series.push({ labels: { __name__: "http_requests_total", job, instance: `host-${inst}:9100`, method, status }, timestamps: ts, values });
        }

  // Classic histograms: buckets, _sum, _count with resets shared by one histogram.
  const les = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"];
  for (const job of ["api", "web"])
    for (let inst = 0; inst < 5; inst++) {
      const ts = times(200);
      const counts = les.map(() => 0);
      let sum = 0;
      const bucketVals = les.map(() => [] as number[]);
      const sums: number[] = [];
      for (let i = 0; i < n; i++) {
        if (r() < 0.003) {
          counts.fill(0);
          sum = 0;
        }
        const obs = Math.floor(r() * 30);
        for (let o = 0; o < obs; o++) {
          const x = Math.pow(r(), 2) * (job === "api" ? 3 : 8);
          sum += x;
          les.forEach((le, j) => {
            if (x <= Number(le === "+Inf" ? Infinity : le)) counts[j]++;
          });
        }
        counts.forEach((c, j) => bucketVals[j].push(c));
        sums.push(round3(sum));
      }
      const base = { job, instance: `host-${inst}:9100` };
      les.forEach((le, j) => series.push({ labels: { __name__: "http_request_duration_seconds_bucket", ...base, le }, timestamps: ts, values: bucketVals[j] }));
      series.push({ labels: { __name__: "http_request_duration_seconds_sum", ...base }, timestamps: ts, values: sums });
      series.push({ labels: { __name__: "http_request_duration_seconds_count", ...base }, timestamps: ts, values: bucketVals[les.length - 1].slice() });
    }

  // Gauges: random walks, some negative.
  for (let inst = 0; inst < 5; inst++)
    for (const zone of ["cpu0", "cpu1", "gpu0", "gpu1", "board"]) {
      let v = 40 + r() * 30;
      series.push({
        labels: { __name__: "temperature_celsius", instance: `host-${inst}:9100`, zone },
        timestamps: times(0),
        values: Array.from({ length: n }, () => (v = round3(v + (r() - 0.5) * 4))),
      });
    }
  for (let inst = 0; inst < 5; inst++)
    for (const kind of ["used", "free", "cached", "buffers", "swap"]) {
      let v = 1e9 + r() * 8e9;
      series.push({
        labels: { __name__: "memory_bytes", instance: `host-${inst}:9100`, kind },
        timestamps: times(0),
        values: Array.from({ length: n }, () => (v = Math.round(v + (r() - 0.5) * 5e7))),
      });
    }
  for (let i = 0; i < 10; i++) {
    let v = (r() - 0.5) * 10;
    series.push({
      labels: { __name__: "balance_delta", account: `acct-${i}`, region: i % 2 ? "eu" : "us" },
      timestamps: times(0),
      values: Array.from({ length: n }, () => (v = round3(v + (r() - 0.5) * 3))),
    });
  }

  // Small integers: for count_values, changes, resets, comparisons.
  for (let q = 0; q < 10; q++) {
    let v = Math.floor(r() * 5);
    series.push({
      labels: { __name__: "queue_depth", queue: `q${q}`, tier: q < 5 ? "gold" : "silver" },
      timestamps: times(0),
      values: Array.from({ length: n }, () => (r() < 0.2 ? (v = Math.max(0, v + Math.floor(r() * 5) - 2)) : v)),
    });
  }

  // up and build_info (info-style metric for group_left joins).
  for (const job of ["api", "web"])
    for (let inst = 0; inst < 5; inst++) {
      series.push({
        labels: { __name__: "up", job, instance: `host-${inst}:9100` },
        timestamps: times(0),
        values: Array.from({ length: n }, () => (r() < 0.05 ? 0 : 1)),
      });
    }
  for (let inst = 0; inst < 5; inst++)
    series.push({
      labels: { __name__: "build_info", instance: `host-${inst}:9100`, version: `1.${inst % 3}.0`, goversion: "go1.19" },
      timestamps: times(0),
      values: Array.from({ length: n }, () => 1),
    });

  // Gappy series: missing 8-15 minute stretches (longer than the 5m lookback).
  for (let i = 0; i < 10; i++) {
    const ts: number[] = [];
    const values: number[] = [];
    let v = r() * 100;
    let skipUntil = -1;
    for (let k = 0; k < n; k++) {
      if (k > skipUntil && r() < 0.01) skipUntil = k + 32 + Math.floor(r() * 28);
      if (k <= skipUntil) continue;
      ts.push(start + k * interval);
      values.push((v = round3(v + (r() - 0.4) * 2)));
    }
    series.push({ labels: { __name__: "flaky_gauge", instance: `host-${i}:9100`, dc: i < 5 ? "a" : "b" }, timestamps: ts, values });
  }

  // Series that end with a staleness marker; odd ones come back later.
  for (let i = 0; i < 20; i++) {
    const stopAt = 60 + Math.floor(r() * (n - 120));
    const restartAt = i % 2 ? stopAt + 20 + Math.floor(r() * 40) : n;
    const ts: number[] = [];
    const values: number[] = [];
    const stale: number[] = [];
    let v = Math.floor(r() * 50);
    for (let k = 0; k < n; k++) {
      if (k > stopAt && k < restartAt) continue;
      ts.push(start + k * interval);
      if (k === stopAt) {
        stale.push(values.length);
        values.push(0);
      } else values.push((v += Math.floor(r() * 4)));
    }
    series.push({ labels: { __name__: "batch_jobs_processed_total", job: `batch-${i}`, pool: i % 3 === 0 ? "x" : "y" }, timestamps: ts, values, stale });
  }

  // Odd values.
  const odd: Array<[string, (k: number) => number]> = [
    ["nan", (k) => (k % 37 === 5 ? NaN : k % 7)],
    ["inf", (k) => (k % 41 === 3 ? Infinity : k % 41 === 20 ? -Infinity : (k % 11) - 5)],
    ["zero", () => 0],
  ];
  for (const [c, f] of odd)
    series.push({ labels: { __name__: "odd_values", case: c }, timestamps: times(0), values: Array.from({ length: n }, (_, k) => f(k)) });

  // Same label sets under two names, for __name__ regex selectors and name-dropping collisions.
  for (const name of ["tokens_prompt_total", "tokens_completion_total"])
    for (const model of ["llama-3-8b", "mistral-7b", "qwen-14b"]) {
      let v = 0;
      series.push({
        labels: { __name__: name, model, gateway: "litellm" },
        timestamps: times(300),
        values: Array.from({ length: n }, () => (v = round3(v + r() * (name.includes("prompt") ? 500 : 200)))),
      });
    }

  const out: DatasetSeries[] = series.map((s) => {
    const values = Float64Array.from(s.values);
    for (const i of s.stale ?? []) values[i] = STALE_NAN;
    return { labels: s.labels, timestamps: s.timestamps, values };
  });
  return { start, end: start + (n - 1) * interval, interval, series: out };
}
