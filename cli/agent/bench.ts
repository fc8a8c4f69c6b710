// Agent cost at a realistic load: N exporters x M series scraped every 15 s,
// plus L LiteLLM log lines/s, delivered to a loopback receiver. The agent runs
// as its own process: from sources (tsx cli/bin.ts agent), or with --bin the
// release artifact (`node dist/inferscope.mjs agent`; a single executable runs
// as itself), with --node-flags passed to node (as the systemd unit would).
// --unit runs the artifact exactly as the systemd unit does: the node flags of
// its ExecStart and its Environment= lines, read from cli/agent/inferscope-agent.service.
// CPU (process CPU time over wall time) and RSS are read from the agent's own
// /metrics at the start and end of the window; on Linux the whole process
// tree it started (tsx's wrapper and esbuild service included) is read from
// /proc every second as well, which costs the agent nothing (its /metrics is
// read only every 5 s, for the V8 heap figures).
//
//   npx tsx cli/agent/bench.ts [--seconds 60] [--targets 10] [--series 2000] [--lines 1000] [--interval 15]
//                              [--bin dist/inferscope.mjs] [--node-flags="--max-semi-space-size=1 ..."] [--unit]
//
// The agent inherits this process's environment, so glibc malloc tuning given
// on the command line applies to it as a unit's Environment= would:
//   MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 npx tsx cli/agent/bench.ts --bin dist/inferscope.mjs \
//     --node-flags="--max-semi-space-size=1 --max-old-space-size=64"
//
// Rates are real (no speed-up), so the figures need no extrapolation beyond
// "per minute/hour at this steady state"; the first interval (start-up, tsx
// compile, first scrape) is excluded from the measurement window.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { decodeWriteRequest } from "../../workers/ingest/protocols/remote-write/parse";
import { memorySplit, processTree, unitSettings } from "./bench-proc";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    targets: { type: "string", default: "10" },
    series: { type: "string", default: "2000" },
    lines: { type: "string", default: "1000" },
    interval: { type: "string", default: "15" },
    bin: { type: "string" },
    "node-flags": { type: "string", default: "" },
    unit: { type: "boolean", default: false },
  },
});
const SECONDS = Number(args.seconds);
const TARGETS = Number(args.targets);
const SERIES = Number(args.series);
const LINES_PER_S = Number(args.lines);
const INTERVAL_S = Number(args.interval);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const UNIT = args.unit ? unitSettings(readFileSync(`${ROOT}cli/agent/inferscope-agent.service`, "utf8")) : undefined;
const BIN = args.bin ? resolve(args.bin) : UNIT ? `${ROOT}dist/inferscope.mjs` : undefined;
const NODE_FLAGS = UNIT && !args["node-flags"] ? UNIT.nodeFlags : args["node-flags"].split(/\s+/).filter(Boolean);
if (UNIT) Object.assign(process.env, UNIT.env); // the agent inherits it, as from the unit's Environment=
if (BIN && !existsSync(BIN)) {
  console.error(`bench: --bin ${args.bin}: no such file (build it with npm run build:agent)`);
  process.exit(2);
}

/** What runs the agent: [program, args, env]. */
function agentCommand(config: string): [string, string[], NodeJS.ProcessEnv] {
  const rest = ["agent", "--config", config];
  if (!BIN) return [`${ROOT}node_modules/.bin/tsx`, ["cli/bin.ts", ...rest], { ...process.env, NODE_OPTIONS: NODE_FLAGS.join(" ") }];
  if (/\.[cm]?js$/.test(BIN)) return [process.execPath, [...NODE_FLAGS, BIN, ...rest], process.env];
  return [BIN, rest, { ...process.env, NODE_OPTIONS: NODE_FLAGS.join(" ") }];
}

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as AddressInfo).port)));

/** vLLM/DCGM-like exposition: gauges, counters and histograms over SERIES series. */
function exposition(target: number, scrape: number): string {
  const out: string[] = [];
  const histSeries = Math.floor(SERIES / 4);
  const perHist = 10; // 8 buckets + _sum + _count
  const hists = Math.floor(histSeries / perHist);
  out.push("# HELP bench_latency_seconds Request latency.", "# TYPE bench_latency_seconds histogram");
  for (let h = 0; h < hists; h++) {
    let c = 0;
    for (const le of ["0.01", "0.05", "0.1", "0.5", "1", "5", "10", "+Inf"]) {
      c += h + scrape;
      out.push(`bench_latency_seconds_bucket{model="model-${h}",le="${le}"} ${c}`);
    }
    out.push(`bench_latency_seconds_sum{model="model-${h}"} ${c * 0.37}`, `bench_latency_seconds_count{model="model-${h}"} ${c}`);
  }
  out.push("# HELP bench_gauge A gauge.", "# TYPE bench_gauge gauge");
  for (let i = hists * perHist; i < SERIES; i++) out.push(`bench_gauge{gpu="${i % 8}",series="s${i}",target="${target}"} ${Math.sin(scrape + i) * 100}`);
  return out.join("\n") + "\n";
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "agent-bench-"));
  const servers: Server[] = [];
  const received = { samples: 0, logs: 0, batches: 0, bytes: 0 };
  const rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.batches++;
      received.bytes += body.length;
      if (req.url === "/api/v1/write") received.samples += decodeWriteRequest(body).timeseries.reduce((a, t) => a + t.samples.length, 0);
      else received.logs += (JSON.parse(gunzipSync(body).toString()) as { logs: unknown[] }).logs.length;
      res.writeHead(204).end();
    });
  });
  servers.push(rx);
  const rxPort = await listen(rx);
  const targets: string[] = [];
  for (let t = 0; t < TARGETS; t++) {
    let n = 0;
    const s = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(exposition(t, ++n)));
    servers.push(s);
    targets.push(`http://127.0.0.1:${await listen(s)}/metrics`);
  }
  const logFile = join(dir, "litellm.jsonl");
  writeFileSync(logFile, "");
  let lineNo = 0;
  const writer = setInterval(() => {
    let chunk = "";
    for (let i = 0; i < LINES_PER_S / 10; i++) {
      lineNo++;
      const t = Date.now() / 1000;
      chunk += JSON.stringify({
        id: `chatcmpl-${lineNo}`, call_type: "acompletion", stream: true, response_cost: 0.00042, status: "success",
        custom_llm_provider: "openai", total_tokens: 150, prompt_tokens: 100, completion_tokens: 50,
        startTime: t - 1.5, endTime: t, completionStartTime: t - 1.2, model: "gpt-4o-mini", model_group: "gpt-4o-mini",
        api_base: "https://api.openai.com", metadata: { user_api_key_team_alias: "search" }, cache_hit: false,
      }) + "\n";
    }
    appendFileSync(logFile, chunk);
  }, 100);
  const config = join(dir, "agent.yaml");
  writeFileSync(config, `
data_dir: ${join(dir, "data")}
endpoint: { url: "http://127.0.0.1:${rxPort}", api_key: bench }
self: { listen: "127.0.0.1:0" }
labels: { host: bench-host, cluster: bench }
scrape:
  - job: bench
    interval: ${INTERVAL_S}s
    timeout: 10s
    targets: ${JSON.stringify(targets)}
logs:
  - name: litellm
    path: ${logFile}
    format: litellm
`);
  const [cmd, cmdArgs, env] = agentCommand(config);
  const agent = spawn(cmd, cmdArgs, { cwd: BIN ? dir : ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  agent.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // The self port is picked by the OS; the agent logs it in "agent started".
  const port = await new Promise<number>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /"self_port":(\d+)/.exec(stderr);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 50);
    agent.once("exit", () => reject(new Error(`agent exited: ${stderr}`)));
  });
  const self = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const v = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    return {
      cpu: v("process_cpu_seconds_total"), rss: v("process_resident_memory_bytes"), heap: v("nodejs_heap_used_bytes"),
      heapTotal: v("nodejs_heap_total_bytes"), external: v("nodejs_external_memory_bytes"), queue: v("inferscope_agent_queue_bytes"), text,
    };
  };
  const warmup = INTERVAL_S * 1000 + 2000;
  const mallocEnv = Object.entries(process.env).filter(([k]) => k.startsWith("MALLOC_")).map(([k, v]) => `${k}=${v} `).join("");
  const runs = `${UNIT ? "the systemd unit's ExecStart: " : ""}${mallocEnv}${BIN ? `${/\.[cm]?js$/.test(BIN) ? "node " : ""}${BIN}` : "tsx cli/bin.ts"}`;
  process.stderr.write(`bench: agent = ${runs}${NODE_FLAGS.length ? ` (node flags: ${NODE_FLAGS.join(" ")})` : ""}\n`);
  process.stderr.write(`bench: ${TARGETS} targets x ${SERIES} series every ${INTERVAL_S}s + ${LINES_PER_S} log lines/s; warm-up ${warmup / 1000}s, then measuring ${SECONDS}s\n`);
  await new Promise((r) => setTimeout(r, warmup));
  const start = await self();
  const startTree = processTree(agent.pid!);
  const startAt = Date.now();
  const loadStart = loadavg();
  const startRx = { ...received };
  const startLines = lineNo;
  let rssMax = start.rss;
  let rssSum = 0;
  let heapMax = start.heap;
  let heapTotalMax = start.heapTotal;
  let externalMax = start.external;
  let rssN = 0;
  let treeRssMax = startTree?.rssBytes ?? NaN;
  let privateMax = NaN;
  let sharedAtPrivateMax = NaN;
  for (let tick = 1; Date.now() - startAt < SECONDS * 1000; tick++) {
    await new Promise((r) => setTimeout(r, 1000));
    const tree = processTree(agent.pid!);
    // /proc where there is one: reading the agent's /metrics every second would be load of its own.
    const s = tree && tick % 5 !== 0 ? null : await self();
    const rss = tree?.rssBytes ?? s!.rss;
    rssMax = Math.max(rssMax, rss);
    rssSum += rss;
    rssN++;
    treeRssMax = Math.max(treeRssMax, tree?.rssBytes ?? NaN);
    const split = memorySplit(agent.pid!);
    if (split && !(split.privateBytes <= privateMax)) (privateMax = split.privateBytes), (sharedAtPrivateMax = split.sharedBytes);
    if (!s) continue;
    heapMax = Math.max(heapMax, s.heap);
    heapTotalMax = Math.max(heapTotalMax, s.heapTotal);
    externalMax = Math.max(externalMax, s.external);
  }
  const end = await self();
  const loadEnd = loadavg();
  const endTree = processTree(agent.pid!);
  const wall = (Date.now() - startAt) / 1000;
  clearInterval(writer);
  agent.kill("SIGTERM");
  await new Promise((r) => agent.once("exit", r));
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });

  const cpu = end.cpu - start.cpu;
  const samples = received.samples - startRx.samples;
  const logs = received.logs - startRx.logs;
  const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
  console.log(`agent bench, agent = ${runs}${NODE_FLAGS.length ? ` ${NODE_FLAGS.join(" ")}` : ""}`);
  console.log(`agent bench (${TARGETS} targets x ${SERIES} series / ${INTERVAL_S}s, ${LINES_PER_S} log lines/s), measured over ${wall.toFixed(1)}s after warm-up:`);
  console.log(`  CPU:          ${cpu.toFixed(2)} s  = ${((cpu / wall) * 100).toFixed(1)}% of one core  (${((cpu / wall) * 3600 / 60).toFixed(1)} CPU-min per hour)`);
  console.log(`  memory (RSS): avg ${mib(rssSum / Math.max(1, rssN))} MiB, max ${mib(rssMax)} MiB; V8 heap used max ${mib(heapMax)} MiB, committed max ${mib(heapTotalMax)} MiB; external max ${mib(externalMax)} MiB (heap sampled every 5 s)`);
  if (Number.isFinite(privateMax))
    console.log(`  RSS split:    private max ${mib(privateMax)} MiB (the agent's own pages), shared ${mib(sharedAtPrivateMax)} MiB then (mostly the node executable's pages, shared with every node process)`);
  if (startTree && endTree) {
    const treeCpu = endTree.cpuS - startTree.cpuS;
    console.log(`  process tree: ${endTree.pids} process(es), CPU ${((treeCpu / wall) * 100).toFixed(1)}% of one core, RSS at end ${mib(endTree.rssBytes)} MiB, max ${mib(treeRssMax)} MiB`);
  }
  const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  console.log(`  machine load: ${la(loadStart)} at start, ${la(loadEnd)} at end (1/5/15-min load averages of the whole host, ${cpus().length} CPUs)`);
  console.log(`  delivered:    ${samples} samples (${(samples / wall).toFixed(0)}/s), ${logs} log records (${(logs / wall).toFixed(0)}/s; written ${lineNo - startLines})`);
  console.log(`  wire:         ${received.batches - startRx.batches} requests, ${mib(received.bytes - startRx.bytes)} MiB compressed`);
  console.log(`  queue at end: ${end.queue} bytes`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
