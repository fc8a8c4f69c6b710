// --models a=3,b=1: which model each request goes to, by weight (a bare name weighs 1).
import { CliError } from "../errors";

export interface ModelWeight {
  model: string;
  weight: number;
}

export function parseModelMix(raw: string): ModelWeight[] {
  const out: ModelWeight[] = [];
  for (const part of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
    // The weight follows the last "=": model names may hold one ("org/m=v2" is unusual but legal).
    const eq = part.lastIndexOf("=");
    const model = eq < 0 ? part : part.slice(0, eq).trim();
    const w = eq < 0 ? "1" : part.slice(eq + 1).trim();
    const weight = Number(w);
    if (!model) throw new CliError(`--models: ${JSON.stringify(part)} has no model name (write name=weight, such as llama3=3,qwen=1)`);
    if (!/^\d+(\.\d+)?$/.test(w) || !(weight > 0)) throw new CliError(`--models: the weight of ${model} must be a positive number (not ${JSON.stringify(w)})`);
    if (out.some((m) => m.model === model)) throw new CliError(`--models: ${model} is listed twice`);
    out.push({ model, weight });
  }
  if (out.length === 0) throw new CliError("--models takes a list such as llama3=3,qwen=1");
  return out;
}

/** The share of requests each model gets: weight over the total. */
export const shares = (mix: ModelWeight[]) => {
  const total = mix.reduce((s, m) => s + m.weight, 0);
  return mix.map((m) => ({ model: m.model, share: m.weight / total }));
};
