// A server-sent-events reader for a streaming chat completion, fed the body as it
// arrives: it keeps the time of the first and last generated content (what TTFT
// and the decode rate are made of), the text, the deltas and the last usage.
import { errorMessage, parseJson, snippet } from "./openai-body";

/** Reads an SSE body as it arrives: the first content's time, the text, the deltas, the last usage block. */
export class SseReader {
  firstTokenMs: number | null = null;
  lastTokenMs: number | null = null;
  deltas = 0;
  text = "";
  usage: Record<string, unknown> | null = null;
  model: string | null = null;
  id: string | null = null;
  finishReason: string | null = null;
  error: string | null = null;
  done = false;
  events = 0;
  private buf = "";

  push(chunk: string, atMs: number): void {
    this.buf += chunk;
    let cut: RegExpExecArray | null;
    const sep = /\r?\n\r?\n/;
    while ((cut = sep.exec(this.buf))) {
      const event = this.buf.slice(0, cut.index);
      this.buf = this.buf.slice(cut.index + cut[0].length);
      this.event(event, atMs);
    }
  }

  private event(event: string, atMs: number): void {
    const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
    if (!data) return;
    if (data === "[DONE]") {
      this.done = true;
      return;
    }
    this.events++;
    const j = parseJson(data) as Record<string, any> | undefined;
    if (!j || typeof j !== "object") return void (this.error ??= `an SSE event that is not JSON: ${snippet(data)}`);
    if (j.error) return void (this.error ??= errorMessage(j.error));
    if (typeof j.model === "string") this.model = j.model;
    if (typeof j.id === "string") this.id ??= j.id;
    if (j.usage && typeof j.usage === "object") this.usage = j.usage;
    const choice = Array.isArray(j.choices) ? j.choices[0] : undefined;
    if (!choice) return;
    if (typeof choice.finish_reason === "string") this.finishReason = choice.finish_reason;
    const d = choice.delta ?? {};
    const piece = typeof d.content === "string" ? d.content : typeof choice.text === "string" ? choice.text : "";
    const generated = piece !== "" || (typeof d.reasoning_content === "string" && d.reasoning_content !== "") || (Array.isArray(d.tool_calls) && d.tool_calls.length > 0);
    if (!generated) return;
    this.text += piece;
    this.deltas++;
    this.firstTokenMs ??= atMs;
    this.lastTokenMs = atMs;
  }
}
