// Starts a real Prometheus 2.42 for the differential test: fresh TSDB in a temp
// dir, loopback port picked free, remote-write receiver on, our dataset pushed
// in time order. Fails with install instructions when the binary is missing.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dataset } from "./dataset";
import { encodeWriteRequest, type WriteSeries } from "./remote-write";

export const INSTALL_HINT = "Prometheus 2.42 is required for the PromQL differential test. Install it with: apt-get install -y prometheus (Debian bookworm ships 2.42.0), then make sure `prometheus` is on PATH (or set PROMETHEUS_BIN).";

export interface PrometheusInstance {
  url: string;
  version: string;
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
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

export async function startPrometheus(): Promise<PrometheusInstance> {
  const { bin, version } = findBinary();
  const dir = mkdtempSync(join(tmpdir(), "promql-diff-"));
  // Default evaluation_interval (1m) is also the step of subqueries written without one.
  writeFileSync(join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1m\n");
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
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, proc, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, version, stop };
}

/** Pushes the dataset in 10-minute time slices so every series is appended in order. */
export async function loadDataset(url: string, ds: Dataset): Promise<void> {
  const slice = 10 * 60 * 1000;
  const cursors = ds.series.map(() => 0);
  for (let from = ds.start; from <= ds.end; from += slice) {
    const batch: WriteSeries[] = [];
    ds.series.forEach((s, i) => {
      let j = cursors[i];
      const a = j;
      while (j < s.timestamps.length && s.timestamps[j] < from + slice) j++;
      cursors[i] = j;
      if (j > a) batch.push({ labels: s.labels, timestamps: s.timestamps.slice(a, j), values: s.values.slice(a, j) });
    });
    const res = await fetch(`${url}/api/v1/write`, {
      method: "POST",
      headers: { "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf", "X-Prometheus-Remote-Write-Version": "0.1.0" },
      body: Buffer.from(encodeWriteRequest(batch)),
    });
    if (!res.ok) throw new Error(`remote write failed: ${res.status} ${await res.text()}`);
  }
}
