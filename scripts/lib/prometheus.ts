// A real Prometheus 2.42 for comparisons (the PromQL differential test and
// `npm run bench:query`): fresh TSDB in a temp dir, loopback port picked free,
// remote-write receiver on. Fails with install instructions when the binary is
// missing. Also pushes series to any remote_write receiver in time order,
// through the agent's encoder (the one remote_write encoder in the project).
import { freePort } from "./free-port";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from "../../cli/agent/remote-write/encode";
import type { RwTimeSeries } from "../../shared/contracts/remote-write";
import type { Labels } from "../../shared/labels";

export const INSTALL_HINT = "Prometheus 2.42 is required for the PromQL differential test. Install it with: apt-get install -y prometheus (Debian bookworm ships 2.42.0), then make sure `prometheus` is on PATH (or set PROMETHEUS_BIN).";

export interface PrometheusInstance {
  url: string;
  version: string;
  /** The TSDB directory (chunks_head/, wal/, blocks), removed by stop(). */
  dataDir: string;
  /** Ends the process (SIGTERM: the head's chunk files are flushed) and keeps dataDir. */
  halt(): Promise<void>;
  stop(): Promise<void>;
}

function findBinary(): { bin: string; version: string } {
  const bin = process.env.PROMETHEUS_BIN ?? "prometheus";
  const res = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (res.error || res.status !== 0) throw new Error(`${INSTALL_HINT} (running "${bin} --version" failed: ${res.error?.message ?? res.stderr})`);
  const version = /version (\S+)/.exec(res.stdout + res.stderr)?.[1] ?? "unknown";
  if (!version.startsWith("2.42.")) throw new Error(`Prometheus ${version} found; the engine targets 2.42 exactly. ${INSTALL_HINT}`);
  return { bin, version };
}

async function waitReady(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus did not become ready in 30s:\n${log()}`);
}

/** `config`: prometheus.yml text for a Prometheus that also scrapes and remote-writes (the real-sender test). */
export async function startPrometheus(opts: { config?: string } = {}): Promise<PrometheusInstance> {
  const { bin, version } = findBinary();
  const dir = mkdtempSync(join(tmpdir(), "prometheus-"));
  // Default evaluation_interval (1m) is also the step of subqueries written without one.
  writeFileSync(join(dir, "prometheus.yml"), opts.config ?? "global:\n  evaluation_interval: 1m\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const proc = spawn(
    bin,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--storage.tsdb.retention.time=100y",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output = (output + d).slice(-20_000)));
  const halt = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, proc, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, version, dataDir: join(dir, "data"), halt, stop };
}

export interface PushSeries {
  labels: Labels;
  timestamps: ArrayLike<number>;
  /** A Float64Array keeps StaleNaN bits intact. */
  values: Float64Array;
}

export interface PushOptions {
  /** Extra headers (authorization). */
  headers?: Record<string, string>;
  /** Width of each request's time slice; Prometheus needs every series appended in order. */
  sliceMs?: number;
  /** Requests in flight at once; only receivers that accept out-of-order data may use more than 1. */
  concurrency?: number;
}

/** POSTs the series to `${url}/api/v1/write` in consecutive time slices; returns the number of samples sent. */
export async function pushInTimeOrder(url: string, series: PushSeries[], opts: PushOptions = {}): Promise<number> {
  const slice = opts.sliceMs ?? 10 * 60_000;
  let start = Infinity, end = -Infinity;
  for (const s of series)
    if (s.timestamps.length) {
      start = Math.min(start, s.timestamps[0]);
      end = Math.max(end, s.timestamps[s.timestamps.length - 1]);
    }
  const cursors = series.map(() => 0);
  const bodies: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (let from = start; from <= end; from += slice) {
    const timeseries: RwTimeSeries[] = [];
    series.forEach((s, i) => {
      const samples = [];
      let j = cursors[i];
      for (; j < s.timestamps.length && s.timestamps[j] < from + slice; j++) samples.push({ value: s.values[j], timestamp: s.timestamps[j] });
      cursors[i] = j;
      if (samples.length) timeseries.push({ labels: Object.keys(s.labels).sort().map((name) => ({ name, value: s.labels[name] })), samples });
      total += samples.length;
    });
    // A copy owns a plain ArrayBuffer, which fetch's BodyInit asks for.
    if (timeseries.length) bodies.push(new Uint8Array(encodeWriteRequest({ timeseries, metadata: [] })));
  }
  let next = 0;
  const send = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await fetch(`${url}/api/v1/write`, { method: "POST", headers: { ...REMOTE_WRITE_HEADERS, ...opts.headers }, body });
      if (!res.ok) throw new Error(`remote write to ${url} failed: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, send));
  return total;
}
