// One simulated scrape target as the agent sees it: its series carry job,
// instance and host (the agent's static label), and each tick the agent's
// scrape loop adds up / scrape_duration_seconds / scrape_samples_scraped, or,
// when the target is down, up 0 and a staleness marker for every series it had
// (as cli/agent/collectors/target-loop.ts does).
import { STALE_NAN } from "../../shared/staleness";
import type { Script } from "./fleet";
import type { Rand } from "./rng";
import { Counter, Gauge, Histogram, type Labels, type Series, type SeriesSet } from "./series";

export interface Tick {
  ts: number;
  /** Seconds since the previous tick. */
  dtS: number;
  load: number;
  r: Rand;
  script: Script;
}

/** What the servers on a host leave for its GPU exporter: how busy each GPU is and how much memory it holds. */
export interface GpuUse {
  busy: number[];
  memFrac: number[];
}

export abstract class Target {
  readonly series: Series[] = [];
  /** Milliseconds after the tick at which this target is scraped (the agent spreads targets out). */
  readonly offsetMs: number;

  constructor(protected readonly set: SeriesSet, readonly job: string, readonly instance: string, readonly host: string) {
    let h = 0;
    for (const c of `${job}/${instance}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    this.offsetMs = h % 1000;
  }

  protected labels(extra: Labels = {}): Labels {
    return { ...extra, job: this.job, instance: this.instance, host: this.host };
  }

  protected counter(name: string, extra: Labels = {}, start = 0): Counter {
    const c = new Counter(this.set, name, this.labels(extra), start);
    this.series.push(c.series);
    return c;
  }

  protected gauge(name: string, extra: Labels = {}): Gauge {
    const g = new Gauge(this.set, name, this.labels(extra));
    this.series.push(g.series);
    return g;
  }

  protected histogram(name: string, extra: Labels, bounds: readonly number[]): Histogram {
    const h = new Histogram(this.set, name, this.labels(extra), bounds);
    this.series.push(...h.series);
    return h;
  }

  /** Is the target unreachable at ts? */
  down(_ts: number, _script: Script): boolean {
    return false;
  }

  /** The process came back after being down: counters start again from 0. */
  restart(): void {}

  /** Advances the simulation by one tick and appends this scrape's samples at `at`. */
  abstract collect(t: Tick, at: number): void;
}

/** The agent's scrape loop around a target: the report series, staleness on the way down, a restart on the way up. */
export class Scrape {
  private readonly up: Gauge;
  private readonly duration: Gauge;
  private readonly scraped: Gauge;
  private wasDown = false;
  ok = true;
  lastSamples = 0;
  lastDurationS = 0;

  constructor(private readonly set: SeriesSet, readonly target: Target) {
    const l = { job: target.job, instance: target.instance, host: target.host };
    this.up = new Gauge(set, "up", l);
    this.duration = new Gauge(set, "scrape_duration_seconds", l);
    this.scraped = new Gauge(set, "scrape_samples_scraped", l);
  }

  run(t: Tick): void {
    const at = t.ts + this.target.offsetMs;
    const down = this.target.down(t.ts, t.script);
    if (down) {
      if (!this.wasDown) for (const s of this.target.series) this.set.push(s, at, STALE_NAN);
      this.wasDown = true;
      this.ok = false;
      this.lastSamples = 0;
      this.lastDurationS = 10; // the scrape timed out
    } else {
      if (this.wasDown) this.target.restart();
      this.wasDown = false;
      this.target.collect(t, at);
      this.ok = true;
      this.lastSamples = this.target.series.length;
      this.lastDurationS = Math.round((0.004 + this.target.series.length * 0.00005 + t.r.next() * 0.01) * 1e6) / 1e6;
    }
    this.up.emit(at, down ? 0 : 1);
    this.duration.emit(at, this.lastDurationS);
    this.scraped.emit(at, this.lastSamples);
  }
}

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
