// --target openai: virtual users against an OpenAI-compatible endpoint, each
// request to a model drawn from the weighted mix, a share of them streamed
// (SSE, where time to first token and tokens/s are measured). The requests go through the
// probe's client (cli/probe/openai-client.ts) via the Complete function, so
// the timings mean the same here as in `inferscope probe`. A 429 is counted
// under its status and honoured: that user waits out Retry-After (at most
// MAX_WAIT_MS, and never past the end) before its next request.
import { setTimeout as sleep } from "node:timers/promises";
import { Rand } from "../demo/rng";
import type { ModelWeight } from "./model-mix";
import { StreamStats } from "./recorder";

export interface CompletionRequest {
  model: string;
  messages: Array<{ role: "system" | "user" | "assistant"; content: string }>;
  stream: boolean;
  maxTokens: number;
}

/** What this target reads of the probe client's result. */
export interface CompletionOutcome {
  ok: boolean;
  status: number;
  error?: string;
  ttftMs: number | null;
  totalMs: number;
  completionTokens: number;
  outputTokensPerSecond: number | null;
  retryAfterMs: number | null;
  aborted: boolean;
}

export type Complete = (req: CompletionRequest, signal: AbortSignal) => Promise<CompletionOutcome>;

export interface OpenAiConfig {
  mix: ModelWeight[];
  streamShare: number;
  prompt: string;
  maxTokens: number;
  seed: number;
}

const MAX_WAIT_MS = 30_000;

export class OpenAiLoad {
  readonly perModel: Map<string, StreamStats>;
  private readonly r: Rand;
  private readonly weights: number[];

  constructor(private readonly c: OpenAiConfig, private readonly complete: Complete, private readonly endsAt: () => number) {
    this.perModel = new Map(c.mix.map((m) => [m.model, new StreamStats(m.model)]));
    this.r = new Rand(c.seed);
    this.weights = c.mix.map((m) => m.weight);
  }

  streams(): StreamStats[] {
    return [...this.perModel.values()];
  }

  /** One request of one virtual user. */
  async iterate(_vu: number, signal: AbortSignal): Promise<void> {
    const model = this.c.mix[this.r.weighted(this.weights)].model;
    const stream = this.r.chance(this.c.streamShare);
    const stats = this.perModel.get(model)!;
    const res = await this.complete({ model, stream, maxTokens: this.c.maxTokens, messages: [{ role: "user", content: this.c.prompt }] }, signal);
    if (res.aborted) {
      stats.interrupted++;
      return;
    }
    stats.record({
      ok: res.ok,
      status: res.status,
      latencyMs: res.totalMs,
      offered: 1,
      accepted: res.ok ? 1 : 0,
      error: res.error,
      ttftMs: stream ? res.ttftMs : null,
      // Only a streamed answer's rate is a decode rate (tokens after the first over the time
      // between first and last); a plain answer's is tokens over end to end, queueing and
      // prefill included. Mixing both would make TOK/S depend on --stream-share.
      tokensPerSecond: stream ? res.outputTokensPerSecond : null,
      outputTokens: res.completionTokens,
    });
    if (res.retryAfterMs !== null && res.retryAfterMs > 0) {
      const wait = Math.min(res.retryAfterMs, MAX_WAIT_MS, Math.max(0, this.endsAt() - Date.now()));
      await sleep(wait, undefined, { signal }).catch(() => {});
    }
  }
}
