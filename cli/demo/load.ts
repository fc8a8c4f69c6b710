// The fleet's load over the day: a diurnal curve (busiest mid-afternoon UTC,
// quietest before dawn) times slow seeded drift and a little per-tick jitter.
// One value per tick, shared by the servers' metrics and the request logs, so
// GPU utilisation, queue depths and request rates rise and fall together.
import { Rand } from "./rng";

const DAY = 86_400_000;

/** 0.25 at 03:00 UTC, 1 at 15:00 UTC. */
export function diurnal(t: number): number {
  const phase = ((t % DAY) / DAY) * 2 * Math.PI;
  return 0.625 - 0.375 * Math.cos(phase - (3 / 24) * 2 * Math.PI);
}

export class LoadCurve {
  private drift = 0;
  private readonly r: Rand;

  constructor(seed: number) {
    this.r = new Rand(seed * 104_729 + 3);
  }

  /** The next tick's load, around 0.2–1.3; call once per tick, in time order. */
  next(t: number): number {
    // AR(1) drift: correlated over ~10 minutes, so bursts last a while.
    this.drift = 0.96 * this.drift + 0.04 * this.r.normal() * 1.2;
    const jitter = 1 + 0.05 * this.r.normal();
    return Math.max(0.1, diurnal(t) * (1 + this.drift) * jitter);
  }
}
