// The agent's synthetic checks (issue 10; cli/agent/collectors/llm-probe.ts on
// the agent's branch) as the first host's agent would run them: one probe per
// gateway model, straight at the model's endpoint, every tick, exported as
// llm_probe_* with probe / target / model and job llm_probe. They mostly
// succeed, fail now and then (timeouts, connection errors, 5xx) and follow the
// script: 429s during the rate-limit storm, a slow first token on the degraded
// provider. They draw on their own seeded stream, after every host's targets,
// so the rest of the demo's output is the same with or without them.
import { instanceOf } from "../agent/collectors/scrape";
import { PROBE_FAILURE_REASONS, type ProbeFailureReason } from "../agent/collectors/llm-probe";
import { inWindow, type HostSpec } from "./fleet";
import { models, type ModelSpec } from "./requests";
import { Rand } from "./rng";
import type { Counter, Gauge, SeriesSet } from "./series";
import { STALE_NAN } from "../../shared/staleness";
import { Scrape, Target, type Tick } from "./target";

/** llm_probe_failures_total's reasons, as the agent's collector names them (every one exported from 0). */
const REASONS = PROBE_FAILURE_REASONS;
type Reason = ProbeFailureReason;

/** A failure now and then outside the script's incidents: per check. */
const BACKGROUND_FAILURE = 0.004;
/** Share of checks answered 429 on the rate-limited provider during the storm. */
const STORM_429 = 0.25;
/** The degraded provider's first token comes this much later. */
const SLOW_FACTOR = 4;
const TIMEOUT_S = 10;
/** The agent's default max_tokens for a probe. */
const OUTPUT_TOKENS = 8;

interface Probe {
  spec: ModelSpec;
  success: Gauge;
  duration: Gauge;
  ttft: Gauge;
  tps: Gauge;
  status: Gauge;
  failures: Record<Reason, Counter>;
  /** Whether ttft / tps hold a value: a failure ends them with a staleness marker, as the agent's loop does. */
  hasAnswer: boolean;
}

interface Outcome {
  reason: Reason | null;
  status: number;
  durationS: number;
  ttftS: number;
  tps: number;
}

/** One endpoint: its probes share job and instance, so they share one scrape (one `up`). */
class ProbeTarget extends Target {
  private readonly probes: Probe[];

  constructor(set: SeriesSet, host: string, apiBase: string, specs: ModelSpec[]) {
    super(set, "llm_probe", instanceOf(apiBase), host);
    this.probes = specs.map((spec) => {
      const l = { probe: spec.group, target: apiBase, model: spec.model };
      return {
        spec,
        success: this.gauge("llm_probe_success", l),
        duration: this.gauge("llm_probe_duration_seconds", l),
        ttft: this.gauge("llm_probe_ttft_seconds", l),
        tps: this.gauge("llm_probe_tokens_per_second", l),
        status: this.gauge("llm_probe_http_status_code", l),
        failures: Object.fromEntries(REASONS.map((reason) => [reason, this.counter("llm_probe_failures_total", { ...l, reason })])) as Record<Reason, Counter>,
        hasAnswer: false,
      };
    });
  }

  collect(t: Tick, at: number): void {
    for (const p of this.probes) {
      const o = outcome(p.spec, t);
      p.success.emit(at, o.reason === null ? 1 : 0);
      p.duration.emit(at, round(o.durationS));
      p.status.emit(at, o.status);
      if (o.reason === null) {
        p.ttft.emit(at, round(o.ttftS));
        p.tps.emit(at, round(o.tps));
        p.hasAnswer = true;
      } else {
        if (p.hasAnswer) for (const g of [p.ttft, p.tps]) this.set.push(g.series, at, STALE_NAN);
        p.hasAnswer = false;
        p.failures[o.reason].inc(1);
      }
      for (const reason of REASONS) p.failures[reason].emit(at);
    }
  }
}

function outcome(spec: ModelSpec, t: Tick): Outcome {
  const { r, script, ts } = t;
  const storm = spec.provider === script.rateLimit.provider && inWindow(script.rateLimit.window, ts);
  const slow = spec.provider === script.slow.provider && inWindow(script.slow.window, ts) ? SLOW_FACTOR : 1;
  if (storm && r.chance(STORM_429)) return fail("http_429", 429, r.between(0.05, 0.2));
  if (r.chance(BACKGROUND_FAILURE)) {
    const kind = r.weighted([3, 2, 4, 1]);
    if (kind === 0) return fail("timeout", 0, TIMEOUT_S);
    if (kind === 1) return fail("connection", 0, r.between(0.01, 0.1));
    if (kind === 2) return fail("http_5xx", r.pick([500, 502, 503]), r.between(0.1, 1.5));
    return fail("connection_refused", 0, r.between(0.001, 0.005));
  }
  const ttftS = r.lognormal(spec.ttft, 0.25) * slow;
  const tps = r.lognormal(spec.tps, 0.15);
  return { reason: null, status: 200, durationS: ttftS + OUTPUT_TOKENS / tps, ttftS, tps };
}

const fail = (reason: Reason, status: number, durationS: number): Outcome => ({ reason, status, durationS, ttftS: 0, tps: 0 });
const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** Every probe of the fleet, run by the first host's agent, in a fixed order. */
export class ProbeSim {
  private readonly scrapes: Scrape[];
  private readonly r: Rand;

  constructor(set: SeriesSet, fleet: HostSpec[], seed: number) {
    this.r = new Rand(seed * 65_537 + 23);
    const byEndpoint = new Map<string, ModelSpec[]>();
    for (const m of models(fleet)) byEndpoint.set(m.apiBase, [...(byEndpoint.get(m.apiBase) ?? []), m]);
    this.scrapes = [...byEndpoint].map(([apiBase, specs]) => new Scrape(set, new ProbeTarget(set, fleet[0].name, apiBase, specs)));
  }

  get targets(): number {
    return this.scrapes.length;
  }

  /** One check of every probe at the fleet's tick, on the probes' own stream. */
  tick(t: Tick): void {
    const own = { ...t, r: this.r };
    for (const s of this.scrapes) s.run(own);
  }
}
