// A real Alertmanager (Debian's prometheus-alertmanager, 0.25) for a test: one
// route to a webhook receiver, grouping by alertname with the given (short)
// timings, clustering off, its own storage directory; stopped with SIGTERM.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port";

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? "/usr/bin/prometheus-alertmanager";

export interface AlertmanagerProcess {
  /** Base URL: POST ${url}/api/v2/alerts. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** Where Alertmanager sends its notifications (a webhook receiver). */
  webhookUrl: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  groupBy?: string[];
}

export async function startAlertmanager(opts: AlertmanagerOptions, readyTimeoutMs = 20_000): Promise<AlertmanagerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "inferscope-am-"));
  const config = {
    route: {
      receiver: "hook",
      group_by: opts.groupBy ?? ["alertname"],
      group_wait: opts.groupWait ?? "1s",
      group_interval: opts.groupInterval ?? "1s",
      repeat_interval: opts.repeatInterval ?? "1h",
    },
    receivers: [{ name: "hook", webhook_configs: [{ url: opts.webhookUrl, send_resolved: true }] }],
  };
  // JSON is YAML: no dependency on a YAML writer here.
  writeFileSync(join(dir, "am.yml"), JSON.stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(ALERTMANAGER_BIN, [
    `--config.file=${join(dir, "am.yml")}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", "--log.level=debug",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    if (!gone) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (!gone) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (gone) throw new Error(`alertmanager exited before it was ready:\n${out}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => out, stop };
}
