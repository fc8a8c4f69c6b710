// `inferscope probe request`: is the endpoint up, what does it serve, and how
// long does one completion take, phase by phase. --all-models sends one request
// to every listed model and says which fail (exit 1 if any does).
import { CliError } from "../errors";
import type { Io } from "../terminal/io";
import { formatCount, formatMs, formatNumber, shorten } from "../terminal/format";
import { renderTable } from "../terminal/table";
import type { CompletionResult } from "../probe/openai-client";
import { PROBE_HELP, parseProbeArgs, probeSettings } from "../probe/options";
import { ProbeSession } from "../probe/session";

export const REQUEST_HELP = `usage: inferscope probe request --endpoint URL [--model M | --all-models] [options]

A health check (GET /health, or the model list where there is none), the model
list, and one chat completion with its timings: DNS, connect, TLS, first byte,
first token (streaming only), total; and its usage. Exit 1 when any step fails.
  --all-models        one request to every model the endpoint lists; a table of which fail
${PROBE_HELP}`;

export async function probeRequest(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseProbeArgs(argv, { "all-models": { type: "boolean", default: false } });
  if (values.help) {
    io.stdout.write(`${REQUEST_HELP}\n`);
    return 0;
  }
  if (positionals.length) throw new CliError(`probe request takes no arguments (got ${JSON.stringify(positionals[0])})`);
  const s = await probeSettings(values, io.env);
  if (values["all-models"] && s.model) throw new CliError("--all-models asks every listed model; leave out --model (or drop --all-models)");
  const session = new ProbeSession(s, io);
  try {
    const health = await session.client.health({ signal: io.signal });
    const models = await session.client.listModels({ signal: io.signal });
    // No model to ask (none given, none listed: the endpoint is down or serves none) is a failed
    // check like the others, printed in its place and exit 1 — not a usage error.
    let targets: string[] = [];
    let unsent: string | null = null;
    const listed = models.ok ? "lists none" : "failed";
    if (values["all-models"]) {
      if (models.ok && models.models.length) targets = models.models;
      else unsent = `--all-models needs the model list, and GET ${session.client.base}/models ${models.ok ? "lists no models" : `failed: ${models.error}`}`;
    } else {
      const first = models.ok ? models.models[0] : undefined;
      if (s.model ?? first) targets = [s.model ?? first!];
      else unsent = `no --model given and the model list ${listed}; pass --model`;
    }
    const results: CompletionResult[] = [];
    for (const m of targets) results.push(await session.send(m, results.length, "probe request"));
    const ok = health.ok && unsent === null && results.every((r) => r.ok);
    if (s.json) {
      io.stdout.write(`${JSON.stringify({ ok, endpoint: session.client.base, health, models, requests: results, ...(unsent ? { error: unsent } : {}) }, null, 2)}\n`);
      return ok ? 0 : 1;
    }
    const p = session.out;
    const mark = (good: boolean) => (good ? p.green("ok") : p.red("FAILED"));
    io.stdout.write(`endpoint  ${session.client.base}\n`);
    io.stdout.write(`health    ${mark(health.ok)}  GET ${health.checked} ${health.status || "-"} in ${formatMs(health.timings.totalMs)}${health.error ? `: ${health.error}` : ""}\n`);
    io.stdout.write(`models    ${models.ok ? `${models.models.length}: ${shorten(models.models.join(", "), 80)}` : p.red(`FAILED: ${models.error}`)}\n`);
    if (unsent) {
      io.stdout.write(`\nrequest   ${mark(false)}  not sent: ${unsent}\n`);
      return 1;
    }
    if (values["all-models"]) io.stdout.write(`\n${modelTable(results, p.red)}`);
    else io.stdout.write(`\n${oneRequest(results[0], mark)}`);
    if (values["all-models"]) {
      const bad = results.filter((r) => !r.ok);
      io.stdout.write(bad.length ? `\n${p.red(`${bad.length} of ${results.length} models failed: ${bad.map((r) => r.model).join(", ")}`)}\n` : `\n${p.green(`all ${results.length} models answered`)}\n`);
    }
    return ok ? 0 : 1;
  } finally {
    await session.close();
  }
}

function oneRequest(r: CompletionResult, mark: (ok: boolean) => string): string {
  const t = r.timings;
  const lines = [
    `request   ${mark(r.ok)}  model ${r.model}, ${r.stream ? "streamed" : "not streamed"}, HTTP ${r.status || "-"}${r.reusedConnection ? ", reused connection" : ""}`,
    `timings   DNS ${formatMs(t.dnsMs)}  connect ${formatMs(t.connectMs)}  TLS ${formatMs(t.tlsMs)}  first byte ${formatMs(t.ttfbMs)}  first token ${r.stream ? formatMs(t.ttftMs) : "- (not streamed)"}  total ${formatMs(t.totalMs)}`,
  ];
  if (!r.ok) lines.push(`error     ${r.error}${r.retryAfterMs !== undefined ? ` (Retry-After ${formatMs(r.retryAfterMs)})` : ""}`);
  else {
    const u = r.usage;
    const parts = u.promptTokens !== null ? `${formatCount(u.promptTokens)} prompt + ${formatCount(u.completionTokens)} completion = ${formatCount(u.totalTokens)} tokens` : `${formatCount(u.completionTokens)} completion tokens`;
    lines.push(`usage     ${parts} (${r.usageSource === "counted" ? "counted from the stream: the server reported none" : r.usageSource})  output ${formatNumber(r.outputTokensPerSecond)} tokens/s`);
    lines.push(`reply     ${JSON.stringify(shorten(r.text, 100))}`);
  }
  return `${lines.join("\n")}\n`;
}

function modelTable(results: CompletionResult[], red: (s: string) => string): string {
  return renderTable(results, [
    { title: "MODEL", cell: (r) => r.model },
    { title: "RESULT", cell: (r) => (r.ok ? "ok" : red(`HTTP ${r.status || "-"}`)) },
    { title: "TTFT", cell: (r) => formatMs(r.timings.ttftMs), align: "right" },
    { title: "TOTAL", cell: (r) => formatMs(r.timings.totalMs), align: "right" },
    { title: "TOKENS", cell: (r) => r.usage.completionTokens, align: "right" },
    { title: "TOKENS/S", cell: (r) => formatNumber(r.outputTokensPerSecond), align: "right" },
    { title: "ERROR", cell: (r) => shorten(r.error, 80) },
  ]);
}
