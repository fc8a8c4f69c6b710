// The agent-host checks of `inferscope doctor --agent http://127.0.0.1:9465`:
// the agent's self server (cli/agent/self-server.ts) /healthz, and from its
// /metrics the disk queue against its bound, send errors, and every target's
// last collection (inferscope_agent_target_up, inferscope_agent_last_scrape_timestamp_seconds).
import { parseTextFormat, TextFormatError } from "../agent/collectors/text-format";
import { call } from "./doctor-http";
import { fail, ok, warn, type Check } from "./doctor-report";

/** One sample of the agent's /metrics, labels as a record for lookups by name. */
interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const MiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
const sum = (s: PromSample[], name: string, where: (l: Record<string, string>) => boolean = () => true) =>
  s.filter((x) => x.name === name && where(x.labels)).reduce((a, x) => a + x.value, 0);
/** A target not collected for this long is stale (intervals are seconds to a few minutes). */
const STALE_S = 600;

export async function checkAgent(base: string, now = Date.now()): Promise<Check[]> {
  const running = "is the agent running? `systemctl status inferscope-agent`, `journalctl -u inferscope-agent`; its address is self.listen in agent.yaml (default 127.0.0.1:9465)";
  const h = await call(`${base}/healthz`, { timeoutMs: 5000 });
  if ("unreachable" in h) return [fail("agent", `no answer at ${base}/healthz: ${h.unreachable}`, running)];
  const health = h.json as { status?: string; queue_batches?: number; queue_bytes?: number; last_send_ok?: string | null; last_send_error?: string | null } | undefined;
  if (h.status !== 200 || health?.status !== "ok") return [fail("agent", `${base}/healthz: HTTP ${h.status} ${h.text.slice(0, 120)}`, running)];
  const m = await call(`${base}/metrics`, { timeoutMs: 5000 });
  if ("unreachable" in m || m.status !== 200) return [ok("agent", `${base} healthy`), fail("agent metrics", `${base}/metrics did not answer`, running)];
  let s: PromSample[];
  try {
    // The agent's own parser, so doctor reads its /metrics exactly as a scrape of it would.
    s = parseTextFormat(m.text).samples.map((x) => ({ name: x.name, labels: Object.fromEntries(x.labels), value: x.value }));
  } catch (err) {
    if (!(err instanceof TextFormatError)) throw err;
    return [ok("agent", `${base} healthy`), fail("agent metrics", `${base}/metrics is not Prometheus text (${err.message})`, `\`curl ${base}/metrics\` shows what it served; an agent of this release serves the Prometheus text format there`)];
  }
  return [ok("agent", `${base} healthy`), queue(s), sends(s, health, now), ...targets(s, now)];
}

function queue(s: PromSample[]): Check {
  const bytes = sum(s, "inferscope_agent_queue_bytes");
  const max = sum(s, "inferscope_agent_queue_max_bytes");
  const batches = (kind: string) => sum(s, "inferscope_agent_queue_batches", (l) => l.kind === kind);
  const dropped = sum(s, "inferscope_agent_batches_dropped_total", (l) => l.reason === "queue_full");
  const share = max > 0 ? bytes / max : 0;
  const detail = `${batches("metrics")} metric and ${batches("logs")} log batch(es) queued, ${MiB(bytes)} of ${MiB(max)} (${(share * 100).toFixed(0)}%)${dropped ? `; ${dropped} batch(es) dropped because it was full` : ""}`;
  const fix = "the agent cannot send as fast as it collects: see agent sends; raise delivery.queue_max_bytes in agent.yaml only if the disk allows";
  if (share >= 0.9) return fail("agent queue", `near full: ${detail}`, `${fix}; past the bound the oldest batches are dropped`);
  if (share >= 0.5 || dropped > 0) return warn("agent queue", detail, fix);
  return ok("agent queue", detail);
}

function sends(s: PromSample[], h: { last_send_ok?: string | null; last_send_error?: string | null } | undefined, now: number): Check {
  const errors = s.filter((x) => x.name === "inferscope_agent_send_errors_total" && x.value > 0);
  const byReason = errors.map((x) => `${x.labels.reason ?? x.labels.kind ?? "?"}: ${x.value}`).join(", ");
  const okAt = h?.last_send_ok ? Date.parse(h.last_send_ok) : 0;
  const errAt = h?.last_send_error ? Date.parse(h.last_send_error) : 0;
  if (errAt > okAt)
    return fail("agent sends", `failing: last error ${Math.round((now - errAt) / 1000)} s ago, ${okAt ? `last success ${Math.round((now - okAt) / 1000)} s ago` : "never a success"}${byReason ? ` (errors: ${byReason})` : ""}`, "the agent cannot deliver to endpoint.url in agent.yaml: check that URL and the key in agent.env (a key with the ingest scope), and the server's checks above");
  if (!okAt) return warn("agent sends", "nothing sent yet", "give it one scrape interval; if it stays so, check endpoint.url in agent.yaml");
  return ok("agent sends", `last success ${Math.round((now - okAt) / 1000)} s ago${byReason ? `; retried errors since start: ${byReason}` : ""}`);
}

function targets(s: PromSample[], now: number): Check[] {
  const up = s.filter((x) => x.name === "inferscope_agent_target_up");
  if (!up.length) {
    const any = s.some((x) => x.name === "inferscope_agent_scrapes_total");
    return [warn("agent targets", any ? "this agent does not report inferscope_agent_target_up (an older agent): not checked" : "no target collected yet (none configured, or none finished its first collection)", "the scrape, ollama and nvidia_smi sections of agent.yaml list what it collects")];
  }
  return up.map((x) => {
    const who = `${x.labels.job}/${x.labels.instance}`;
    const last = s.find((y) => y.name === "inferscope_agent_last_scrape_timestamp_seconds" && y.labels.job === x.labels.job && y.labels.instance === x.labels.instance);
    const took = s.find((y) => y.name === "inferscope_agent_scrape_duration_seconds" && y.labels.job === x.labels.job && y.labels.instance === x.labels.instance);
    const age = last ? Math.round(now / 1000 - last.value) : null;
    const when = age === null ? "" : `last collection ${age} s ago${took ? `, took ${took.value.toFixed(3)} s` : ""}`;
    if (x.value !== 1) return fail(`agent target ${who}`, `down at its ${when || "last collection"}`, `the agent cannot collect ${x.labels.instance}: is the exporter running and listening there? try \`curl ${x.labels.instance}\` from this host; journalctl -u inferscope-agent says why`);
    if (age !== null && age > STALE_S) return warn(`agent target ${who}`, `up, but ${when}: collections stopped`, "see journalctl -u inferscope-agent");
    return ok(`agent target ${who}`, `up, ${when}`);
  });
}
