// One real agent process against a fixture exporter, a growing log file and a
// fake ingest receiver on loopback: what the fault and process-delivery
// scenarios drive, from sources or from a release artifact (`bin`).
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStaleNaN } from "../../../shared/staleness";
import { AgentProcess } from "./agent-process";
import { FixtureExporter } from "./exporter";
import { FakeReceiver } from "./receiver";

export type Cleanups = Array<() => Promise<unknown> | void>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function agentHarness(cleanups: Cleanups, bin: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "agent-fault-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const rx = new FakeReceiver();
  await rx.start();
  cleanups.push(() => rx.stop());
  const served: Array<{ seq: number; at: number }> = [];
  const exp = new FixtureExporter((n) => {
    served.push({ seq: n, at: Date.now() });
    return `# TYPE test_scrape_seq gauge\ntest_scrape_seq ${n}\n${Array.from({ length: 50 }, (_, i) => `test_series{i="${i}"} ${n}`).join("\n")}\n`;
  });
  await exp.start();
  cleanups.push(() => exp.stop());
  const logFile = join(dir, "requests.jsonl");
  writeFileSync(logFile, "");
  let written = 0;
  const writer = setInterval(() => {
    // ~100 lines/s in small bursts, as a gateway writes them
    let chunk = "";
    for (let i = 0; i < 5; i++) {
      written++;
      chunk += JSON.stringify({ rid: `req-${written}`, ts: Date.now(), m: "llama", code: 200, ms: 12.5 }) + "\n";
    }
    appendFileSync(logFile, chunk);
  }, 50);
  const stopWriter = () => clearInterval(writer);
  cleanups.push(stopWriter);
  const configPath = join(dir, "agent.yaml");
  writeFileSync(configPath, `
data_dir: ${join(dir, "data")}
endpoint: { url: "${rx.url}", api_key: test-key, timeout: 1s }
labels: { host: test-host }
self: { listen: "127.0.0.1:0" }
delivery: { backoff_min: 50ms, backoff_max: 400ms }
scrape:
  - job: fixture
    targets: ["${exp.url}"]
    interval: 200ms
    timeout: 150ms
logs:
  - name: gw
    path: ${logFile}
    format: jsonl
    poll_interval: 100ms
    fields: { request_id: rid, time: ts, model: m, http_status: code, latency_ms: ms }
`);
  const agent = () => {
    const a = new AgentProcess(configPath, bin);
    a.start();
    cleanups.push(() => a.kill("SIGKILL"));
    return a;
  };
  /** The agent's own /metrics, read from the port it logged at start. */
  const selfMetrics = async (a: AgentProcess) => {
    const port = (await a.waitForLog("agent started")).self_port;
    return fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  };
  const seqs = () => rx.samples("test_scrape_seq").filter((s) => !isStaleNaN(s.value)).map((s) => s.value);
  const logIds = () => rx.logs().map((r) => r.request_id as string);
  return { rx, exp, served, agent, selfMetrics, seqs, logIds, stopWriter, written: () => written };
}

export function counts<T>(xs: T[]): { dups: T[]; set: Set<T> } {
  const set = new Set<T>();
  const dups: T[] = [];
  for (const x of xs) {
    if (set.has(x)) dups.push(x);
    else set.add(x);
  }
  return { dups, set };
}

/** A counter or gauge from the agent's /metrics text, 0 when absent. */
export function metricValue(text: string, series: string): number {
  const esc = series.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^${esc} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}
