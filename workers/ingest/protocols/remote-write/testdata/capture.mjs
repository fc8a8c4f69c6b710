// Captures real remote_write bodies from a real Prometheus for the golden test.
// Not part of the build: run by hand, see README.md beside it.
// One loopback HTTP server plays two parts: a scrape target (/metrics) that
// fails after a few scrapes, so Prometheus writes staleness markers for its
// series, and a remote_write receiver (/api/v1/write) that saves every body.
import { createServer } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";

const port = Number(process.argv[2] ?? 19091);
const outDir = process.argv[3] ?? "/tmp/rwcap";
const healthyScrapes = Number(process.argv[4] ?? 3);
mkdirSync(outDir, { recursive: true });

let scrapes = 0;
let bodies = 0;
const exposition = (n) => `# HELP vllm:num_requests_running Number of requests currently running on GPU.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="meta-llama/Llama-3.1-8B-Instruct"} ${n % 7}
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} ${1000 * n}
# HELP fixture_special Special float values.
# TYPE fixture_special gauge
fixture_special{kind="pos_inf"} +Inf
fixture_special{kind="neg_inf"} -Inf
fixture_special{kind="nan"} NaN
fixture_special{kind="utf8",note="größe 🚀"} 1.5
`;

createServer((req, res) => {
  if (req.url === "/metrics") {
    scrapes++;
    if (scrapes > healthyScrapes) { res.writeHead(503).end("down"); return; }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(exposition(scrapes));
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const name = `${String(++bodies).padStart(3, "0")}.bin`;
    writeFileSync(`${outDir}/${name}`, body);
    writeFileSync(`${outDir}/${name}.headers.json`, JSON.stringify(req.headers, null, 1));
    console.log(`${name} ${req.method} ${req.url} ${body.length} bytes`);
    res.writeHead(204).end();
  });
}).listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
