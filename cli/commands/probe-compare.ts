// `inferscope probe compare`: the same prompt set against several models (or
// the same model at several endpoints), one request at a time and in turn —
// request i goes to every target before request i+1 — so a slow minute on
// the network hurts all of them alike. Side by side, with speed-up factors
// against the first target.
import { CliError } from "../errors";
import type { Io } from "../terminal/io";
import { formatMs, formatNumber, formatPercent } from "../terminal/format";
import { renderTable } from "../terminal/table";
import { intFlag, PROBE_HELP, parseProbeArgs, probeSettings } from "../probe/options";
import { progressBar } from "../terminal/progress";
import { pause, retryWaitMs } from "../probe/run";
import { ProbeSession } from "../probe/session";
import { sampleOf, summarize, type RunSummary, type Sample } from "../probe/stats";

export const COMPARE_HELP = `usage: inferscope probe compare --endpoint URL --models A B C [--iterations 10] [--warmup 1] [options]
       inferscope probe compare --endpoints URL1 URL2 --model M [options]

Sends the same requests (the prompt set in turn) to each target, interleaved,
and prints TTFT, end to end and output tokens/s side by side. Speed-up is the
first target's median over this one's for times (2.0x: twice as fast) and this
one's over the first's for tokens/s. Exit 1 when a target answered nothing.
  --models A B C      models to compare at --endpoint (also comma-separated)
  --endpoints U1 U2   the same --model at several endpoints (providers); with --models, pairwise
  --api-key KEY       one key for every endpoint, or repeated: one per --endpoints entry, in order
  --iterations N      measured requests per target (default 10)
  --warmup W          requests per target before measuring (default 1)
${PROBE_HELP}`;

interface Target {
  model: string;
  endpoint: string;
  session: ProbeSession;
  samples: Sample[];
}

export interface CompareRow {
  model: string;
  endpoint: string;
  summary: RunSummary;
  /** >1: faster (or more tokens/s) than the first target. */
  speedup: { ttft_p50: number | null; e2e_p50: number | null; tokens_per_second_p50: number | null };
}

const list = (first: string | undefined, rest: string[]) => [first ?? "", ...rest].flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);

export async function probeCompare(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseProbeArgs(argv, {
    models: { type: "string" }, endpoints: { type: "string" }, "api-key": { type: "string", multiple: true },
    iterations: { type: "string", default: "10" }, warmup: { type: "string", default: "1" },
  });
  if (values.help) {
    io.stdout.write(`${COMPARE_HELP}\n`);
    return 0;
  }
  // --models a b c: parseArgs gives a and leaves b c as positionals; they belong to whichever list flag was given.
  if (values.models !== undefined && values.endpoints !== undefined && positionals.length)
    throw new CliError("with both --models and --endpoints, separate each list's values by commas (--models a,b --endpoints u1,u2)");
  const models = values.models === undefined ? [] : list(values.models, values.endpoints === undefined ? positionals : []);
  const endpoints = values.endpoints === undefined ? [] : list(values.endpoints, values.models === undefined ? positionals : []);
  if (!models.length && !endpoints.length) throw new CliError(positionals.length ? `probe compare takes no arguments (got ${JSON.stringify(positionals[0])}); models are --models A B C` : "probe compare needs --models A B C (or --endpoints U1 U2 with --model M)");
  if (endpoints.length && values.endpoint !== undefined) throw new CliError("--endpoint and --endpoints: pass one (--endpoints lists every endpoint to compare)");
  if (models.length && values.model !== undefined) throw new CliError("--model and --models: pass one (--models lists every model to compare)");
  if (models.length && endpoints.length && models.length !== endpoints.length)
    throw new CliError(`--models has ${models.length} and --endpoints ${endpoints.length}: pairwise they must be as many`);
  const n = Math.max(models.length, endpoints.length);
  if (n < 2) throw new CliError(`compare needs at least two targets (got ${n}: ${[...models, ...endpoints].join(", ")})`);
  const iterations = intFlag(values.iterations, "iterations", 1, 100_000);
  const warmup = intFlag(values.warmup, "warmup", 0, 10_000);
  const keys = apiKeys(values["api-key"] ?? [], endpoints.length);

  const targets: Target[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = await probeSettings({ ...values, endpoint: endpoints[i] ?? values.endpoint, "api-key": keys.length > 1 ? keys[i] : keys[0] }, io.env);
      // One reporter for the run: one run id and one line about what was reported.
      const session = new ProbeSession(s, io, targets.length ? { reporter: targets[0].session.reporter } : {});
      targets.push({ model: models[i] ?? "", endpoint: session.client.base, session, samples: [] });
    }
    for (const t of targets) if (!t.model) t.model = await t.session.model();
    const s0 = targets[0].session.s;
    const bar = progressBar(io.stderr, "compare");
    const total = (warmup + iterations) * n;
    let done = 0;
    for (let i = 0; i < warmup + iterations && !io.signal?.aborted; i++) {
      for (const t of targets) {
        const r = await t.session.send(t.model, i, "probe compare", i < warmup ? ["warmup"] : []);
        if (i >= warmup) t.samples.push(sampleOf(r));
        bar.update(++done, total, `${t.model}`);
        // A 429 counts as that target's failure; its Retry-After is waited out (capped) before going on.
        if (done < total) await pause(retryWaitMs(r, performance.now()), io.signal);
      }
    }
    bar.done();
    const rows = compareRows(targets);
    const code = rows.every((r) => r.summary.succeeded > 0) ? 0 : 1;
    if (s0.json) {
      io.stdout.write(`${JSON.stringify({ iterations, warmup, stream: s0.stream, max_tokens: s0.maxTokens, prompts: s0.prompts.length, targets: rows }, null, 2)}\n`);
      return code;
    }
    const sameEndpoint = new Set(rows.map((r) => r.endpoint)).size === 1;
    io.stdout.write(`${iterations} requests per target after ${warmup} warm-up, ${s0.stream ? "streamed" : "not streamed"}, max_tokens ${s0.maxTokens}${sameEndpoint ? `, at ${rows[0].endpoint}` : ""}\n\n`);
    io.stdout.write(compareTable(rows, sameEndpoint));
    io.stdout.write(`\nspeed-up: against ${rows[0].model}${sameEndpoint ? "" : ` at ${rows[0].endpoint}`} (medians; above 1x is faster)\n`);
    for (const r of rows) for (const e of r.summary.errors.slice(0, 3)) io.stdout.write(`${targets[0].session.out.red(`${r.model}: ${e.count}× ${e.error}`)}\n`);
    return code;
  } finally {
    // The first owns the reporter: close it last, once every target's requests are in.
    for (const t of [...targets].reverse()) await t.session.close();
  }
}

/** --api-key once (every endpoint) or once per --endpoints entry, paired by position. */
function apiKeys(keys: string[], endpoints: number): string[] {
  if (keys.length <= 1) return keys;
  if (!endpoints) throw new CliError(`--api-key is given ${keys.length} times; several keys pair with --endpoints, one per endpoint (with one --endpoint pass one key)`);
  if (keys.length !== endpoints)
    throw new CliError(`--api-key is given ${keys.length} times and --endpoints lists ${endpoints}: pass one key for all of them, or one per endpoint in the same order`);
  return keys;
}

function compareRows(targets: Target[]): CompareRow[] {
  const summaries = targets.map((t) => summarize(t.samples));
  const [b] = summaries;
  return targets.map((t, i) => {
    const s = summaries[i];
    return {
      model: t.model, endpoint: t.endpoint, summary: s,
      speedup: { ttft_p50: ratio(b.ttft_ms.p50, s.ttft_ms.p50), e2e_p50: ratio(b.e2e_ms.p50, s.e2e_ms.p50), tokens_per_second_p50: ratio(s.tokens_per_second.p50, b.tokens_per_second.p50) },
    };
  });
}

const times = (v: number | null) => (v === null ? "-" : `${v.toFixed(2)}x`);

function compareTable(rows: CompareRow[], sameEndpoint: boolean): string {
  return renderTable(rows, [
    { title: "MODEL", cell: (r) => r.model },
    ...(sameEndpoint ? [] : [{ title: "ENDPOINT", cell: (r: CompareRow) => r.endpoint }]),
    { title: "SUCCESS", cell: (r) => formatPercent(r.summary.success_rate), align: "right" },
    { title: "TTFT P50", cell: (r) => formatMs(r.summary.ttft_ms.p50), align: "right" },
    { title: "TTFT P95", cell: (r) => formatMs(r.summary.ttft_ms.p95), align: "right" },
    { title: "E2E P50", cell: (r) => formatMs(r.summary.e2e_ms.p50), align: "right" },
    { title: "E2E P95", cell: (r) => formatMs(r.summary.e2e_ms.p95), align: "right" },
    { title: "TOKENS/S P50", cell: (r) => formatNumber(r.summary.tokens_per_second.p50), align: "right" },
    { title: "TTFT SPEED-UP", cell: (r) => times(r.speedup.ttft_p50), align: "right" },
    { title: "E2E SPEED-UP", cell: (r) => times(r.speedup.e2e_p50), align: "right" },
    { title: "TOKENS/S ×", cell: (r) => times(r.speedup.tokens_per_second_p50), align: "right" },
  ]);
}
