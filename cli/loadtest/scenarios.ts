// The load shapes, named as k6's docs name its test types: each is a list of
// stages (k6's `stages`: ramp linearly to a target over a duration) over the
// run's duration, in fractions of the peak, so the same shape drives VUs
// (closed model, --target openai) or an arrival rate (open model, --target ingest).
import { CliError } from "../errors";

export const SCENARIOS = ["smoke", "constant", "gradual", "spike", "soak"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Ramp linearly from the previous level to `level` (0..1 of the peak) over `durationMs`. */
export interface Stage {
  durationMs: number;
  level: number;
}

export interface Shape {
  /** Level at t = 0. */
  start: number;
  stages: Stage[];
}

interface ScenarioSpec {
  summary: string;
  vus: number;
  durationMs: number;
  /** Stages in fractions of the duration. */
  shape: { start: number; stages: Array<[fraction: number, level: number]> };
}

const S = 1000;
const M = 60 * S;

export const SCENARIO_SPECS: Record<ScenarioName, ScenarioSpec> = {
  smoke: { summary: "a few users for a short while: does it work at all", vus: 3, durationMs: 30 * S, shape: { start: 1, stages: [[1, 1]] } },
  constant: { summary: "the peak from start to end", vus: 10, durationMs: 1 * M, shape: { start: 1, stages: [[1, 1]] } },
  gradual: { summary: "ramp up (20%), hold (60%), ramp down (20%)", vus: 20, durationMs: 2 * M, shape: { start: 0, stages: [[0.2, 1], [0.6, 1], [0.2, 0]] } },
  spike: {
    summary: "baseline at 10%, a sudden surge to the peak, back to 10% to see it recover",
    vus: 50,
    durationMs: 1 * M,
    shape: { start: 0.1, stages: [[0.2, 0.1], [0.1, 1], [0.2, 1], [0.1, 0.1], [0.4, 0.1]] },
  },
  soak: { summary: "ramp up (5%), hold the peak for a long time (90%), ramp down (5%)", vus: 10, durationMs: 30 * M, shape: { start: 0, stages: [[0.05, 1], [0.9, 1], [0.05, 0]] } },
};

/** Hard caps, whatever the flags say: a load test from a laptop must stay bounded and stop by itself. */
export const MAX_VUS = 1000;
export const MAX_DURATION_MS = 6 * 60 * M;

export function scenarioOf(raw: string): ScenarioName {
  if ((SCENARIOS as readonly string[]).includes(raw)) return raw as ScenarioName;
  throw new CliError(`--scenario takes one of ${SCENARIOS.join(", ")} (not ${JSON.stringify(raw)})`);
}

/** The scenario's stages stretched over `durationMs`; the last stage absorbs rounding so they add up exactly. */
export function shapeOf(name: ScenarioName, durationMs: number): Shape {
  const spec = SCENARIO_SPECS[name].shape;
  let used = 0;
  const stages = spec.stages.map(([f, level], i) => {
    const d = i === spec.stages.length - 1 ? durationMs - used : Math.round(f * durationMs);
    used += d;
    return { durationMs: d, level };
  });
  return { start: spec.start, stages };
}

export const totalMs = (shape: Shape) => shape.stages.reduce((s, st) => s + st.durationMs, 0);

/** The level (0..1) at `t` ms into the run; 0 after the end. */
export function levelAt(shape: Shape, t: number): number {
  if (t < 0) return shape.start;
  let from = shape.start;
  let at = 0;
  for (const st of shape.stages) {
    if (t < at + st.durationMs) return from + ((st.level - from) * (t - at)) / st.durationMs;
    at += st.durationMs;
    from = st.level;
  }
  return 0;
}

/** ∫ levelAt over [0, t] in level·ms: with a peak rate in 1/ms it is how many arrivals are due by t. */
export function cumulative(shape: Shape, t: number): number {
  let from = shape.start;
  let at = 0;
  let sum = 0;
  for (const st of shape.stages) {
    if (t <= at) break;
    const d = Math.min(st.durationMs, t - at);
    const end = from + ((st.level - from) * d) / st.durationMs;
    sum += ((from + end) / 2) * d;
    at += st.durationMs;
    from = st.level;
  }
  return sum;
}

/** VUs wanted at `t`: the level times the peak, at least one while the level is above 0 (k6 keeps a ramp's first VU). */
export function vusAt(shape: Shape, peak: number, t: number): number {
  const l = levelAt(shape, t);
  return l <= 0 ? 0 : Math.max(1, Math.round(l * peak));
}
