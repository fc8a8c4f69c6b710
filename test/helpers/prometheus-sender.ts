// A real Prometheus 2.42 as a remote_write *sender*: it scrapes loopback
// targets every second and remote-writes (with metadata) to a receiver. The
// launcher in scripts/lib/prometheus.ts starts a receiver-only Prometheus with a
// fixed config; this one needs its own scrape and remote_write config.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INSTALL_HINT = "Prometheus 2.42 is required: apt-get install -y prometheus (Debian bookworm ships 2.42.0), or set PROMETHEUS_BIN.";

export interface SenderOptions {
  /** host:port of each target, scraped every second as one job. */
  targets: string[];
  job: string;
  remoteWriteUrl: string;
  apiKey: string;
}

export interface PrometheusSender {
  url: string;
  version: string;
  /** Prometheus's own log (warnings and errors), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function findBinary(): { bin: string; version: string } {
  const bin = process.env.PROMETHEUS_BIN ?? "prometheus";
  const res = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (res.error || res.status !== 0) throw new Error(`${INSTALL_HINT} (running "${bin} --version" failed: ${res.error?.message ?? res.stderr})`);
  const version = /version (\S+)/.exec(res.stdout + res.stderr)?.[1] ?? "unknown";
  if (!version.startsWith("2.42.")) throw new Error(`Prometheus ${version} found, 2.42 expected. ${INSTALL_HINT}`);
  return { bin, version };
}

function freePort(): Promise<number> {
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

/** Short deadlines everywhere so a test sees its samples within a second or two. */
function config(o: SenderOptions): string {
  return JSON.stringify({
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1m" },
    scrape_configs: [{ job_name: o.job, static_configs: [{ targets: o.targets }] }],
    remote_write: [{
      url: o.remoteWriteUrl,
      authorization: { credentials: o.apiKey },
      send_exemplars: false,
      metadata_config: { send: true, send_interval: "1s" },
      queue_config: { batch_send_deadline: "200ms", min_backoff: "100ms", max_backoff: "1s" },
    }],
  }); // JSON is valid YAML
}

async function waitReady(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}:\n${log()}`);
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus did not become ready in 30s:\n${log()}`);
}

export async function startPrometheusSender(opts: SenderOptions): Promise<PrometheusSender> {
  const { bin, version } = findBinary();
  const dir = mkdtempSync(join(tmpdir(), "prometheus-sender-"));
  writeFileSync(join(dir, "prometheus.yml"), config(opts));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const proc = spawn(
    bin,
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (d: Buffer) => (output = (output + d).slice(-20_000));
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
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
  return { url, version, log: () => output, stop };
}
