// The query worker's only door into the PromQL engine (./promql): evaluation
// with a deadline, results in Prometheus's JSON shape, engine errors as API errors.
import type { LabelMatcher, QueryStorage } from "../../shared/storage/types";
import { ApiError } from "./api/envelope";

export interface EngineAnswer {
  data: { resultType: string; result: unknown };
  warnings: string[];
}

export function parseSelectorMatchers(_text: string): LabelMatcher[] {
  throw new ApiError("internal", "PromQL engine not wired yet");
}

export async function evalInstant(_s: QueryStorage, _q: string, _t: number, _timeoutMs: number): Promise<EngineAnswer> {
  throw new ApiError("internal", "PromQL engine not wired yet");
}

export async function evalRange(_s: QueryStorage, _q: string, _a: number, _b: number, _step: number, _timeoutMs: number): Promise<EngineAnswer> {
  throw new ApiError("internal", "PromQL engine not wired yet");
}
