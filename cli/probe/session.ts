// What one probe command holds while it runs: the endpoint's client, the
// reporter when --report-to is given, the terminal, and the way one request is
// sent (the i-th prompt of the set, reported when asked to).
import { paletteFor, type Palette } from "../terminal/colour";
import type { Io } from "../terminal/io";
import { OpenAiClient, type CompletionResult } from "./openai-client";
import { ProbeFailure } from "./failure";
import { requestAt, type ProbeSettings } from "./options";
import { reportLine, Reporter } from "./reporter";

export class ProbeSession {
  readonly client: OpenAiClient;
  readonly reporter: Reporter | null;
  readonly out: Palette;
  readonly err: Palette;

  /** False when the reporter is another session's (compare's targets share one run). */
  private readonly ownsReporter: boolean;

  constructor(readonly s: ProbeSettings, readonly io: Io, opts: { keepAlive?: boolean; maxSockets?: number; reporter?: Reporter | null } = {}) {
    this.client = new OpenAiClient({ endpoint: s.endpoint, apiKey: s.apiKey, timeoutMs: s.timeoutMs, ca: s.ca, keepAlive: opts.keepAlive, maxSockets: opts.maxSockets });
    this.ownsReporter = opts.reporter === undefined;
    this.reporter = opts.reporter !== undefined ? opts.reporter : s.reportTo ? new Reporter(s.reportTo, fetch, { environment: s.environment }) : null;
    this.out = paletteFor(io);
    this.err = paletteFor(io, "stderr");
  }

  /**
   * --model, else the first model the endpoint lists (said on stderr, so a script's stdout stays clean).
   * An endpoint that cannot list one is a failed probe (exit 1), not bad usage.
   */
  async model(): Promise<string> {
    if (this.s.model) return this.s.model;
    const m = await this.client.listModels({ signal: this.io.signal });
    if (!m.ok) throw new ProbeFailure(`no --model given and GET ${this.client.base}/models failed: ${m.error}; pass --model`);
    if (!m.models.length) throw new ProbeFailure(`no --model given and ${this.client.base}/models lists none; pass --model`);
    if (!this.s.json) this.io.stderr.write(`${this.err.dim(`model: ${m.models[0]} (the first of ${m.models.length} listed; pick one with --model)`)}\n`);
    return m.models[0];
  }

  /** The i-th request of the prompt set to `model`, reported as `source`. */
  async send(model: string, i: number, source: string, tags: string[] = []): Promise<CompletionResult> {
    const r = await this.client.complete(requestAt(this.s, model, i), { signal: this.io.signal });
    // An abort is the user's Ctrl-C, not the endpoint's doing: not a synthetic failure to record.
    if (this.reporter && r.errorKind !== "aborted") this.reporter.add(r, { endpoint: this.client.base, requestedModel: model, source, tags });
    return r;
  }

  /** Closes the sockets, delivers what is left to report and says how it went; never throws. */
  async close(): Promise<void> {
    this.client.close();
    if (!this.reporter || !this.ownsReporter) return;
    const o = await this.reporter.close();
    const line = reportLine(o);
    this.io.stderr.write(`${o.failed ? this.err.yellow(line) : this.err.dim(line)}\n`);
  }
}
