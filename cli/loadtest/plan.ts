// The plan a run prints before it starts: the scenario's stages in absolute
// terms (VUs for the closed model, requests/s and items/s for the open one),
// so the user sees what is about to hit the target.
import { formatMs, formatNumber } from "../terminal/format";
import { SCENARIO_SPECS, type ScenarioName, type Shape } from "./scenarios";

export interface PlanUnit {
  /** What the peak is: "VUs", or "samples/s" and "logs/s" for each open-model stream. */
  label: string;
  peak: number;
}

/** One line per stage: "  0s → 24s   ramp 0 → 20 VUs", with a leading line naming the scenario. */
export function describePlan(name: ScenarioName, shape: Shape, units: PlanUnit[]): string[] {
  const lines = [`scenario ${name}: ${SCENARIO_SPECS[name].summary}`];
  const amount = (level: number) => units.map((u) => `${formatNumber(Math.round(level * u.peak * 100) / 100)} ${u.label}`).join(", ");
  let at = 0;
  let from = shape.start;
  for (const st of shape.stages) {
    const verb = st.level === from ? "hold" : st.level > from ? "ramp up" : "ramp down";
    const what = st.level === from ? amount(st.level) : `${amount(from)} → ${amount(st.level)}`;
    lines.push(`  ${formatMs(at).padStart(6)} → ${formatMs(at + st.durationMs).padEnd(6)}  ${verb.padEnd(9)} ${what}`);
    at += st.durationMs;
    from = st.level;
  }
  return lines;
}
