// A fake ingest endpoint on loopback: decodes remote_write (with the ingest
// worker's own decoder) and gzip JSON logs, records batches by Idempotency-Key
// and counts replays, and can be taken down, made to fail, or rate limit.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import type { RwWriteRequest } from "../../../shared/contracts/remote-write";
import { decodeWriteRequest } from "../../../workers/ingest/protocols/remote-write/parse";

export interface ReceivedBatch {
  key: string;
  kind: "metrics" | "logs";
  metrics?: RwWriteRequest;
  logs?: Array<Record<string, unknown>>;
  headers: IncomingMessage["headers"];
}

export type Mode = { kind: "ok" } | { kind: "status"; status: number; retryAfter?: string } | { kind: "hang" };

export class FakeReceiver {
  readonly batches = new Map<string, ReceivedBatch>();
  /** Requests whose Idempotency-Key was already stored: the agent resent something acknowledged. */
  duplicates = 0;
  requests = 0;
  missingKey = 0;
  mode: Mode = { kind: "ok" };
  private server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port || this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Down for real: the port refuses connections until start() again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.requests++;
    const mode = this.mode;
    if (mode.kind === "hang") return; // never answers; the agent's timeout must fire
    if (mode.kind === "status") {
      res.writeHead(mode.status, mode.retryAfter ? { "Retry-After": mode.retryAfter } : {}).end(`forced ${mode.status}`);
      return;
    }
    if (req.headers.authorization !== "Bearer test-key") {
      res.writeHead(401).end("bad key");
      return;
    }
    const key = req.headers["idempotency-key"];
    if (typeof key !== "string") {
      this.missingKey++;
      res.writeHead(400).end("no Idempotency-Key");
      return;
    }
    if (this.batches.has(key)) {
      this.duplicates++;
      res.writeHead(200).end("{}");
      return;
    }
    try {
      if (req.url === "/api/v1/write") {
        if (req.headers["content-encoding"] !== "snappy") throw new Error("not snappy");
        this.batches.set(key, { key, kind: "metrics", metrics: decodeWriteRequest(body), headers: req.headers });
      } else if (req.url === "/v1/logs") {
        if (req.headers["content-encoding"] !== "gzip") throw new Error("not gzip");
        const parsed = JSON.parse(gunzipSync(body).toString("utf8")) as { logs: Array<Record<string, unknown>> };
        this.batches.set(key, { key, kind: "logs", logs: parsed.logs, headers: req.headers });
      } else {
        res.writeHead(404).end();
        return;
      }
    } catch (e) {
      res.writeHead(400).end(String(e));
      return;
    }
    res.writeHead(204).end();
  }

  /** All samples of one metric name: [labels, value, timestamp]. */
  samples(name: string): Array<{ labels: Record<string, string>; value: number; timestamp: number }> {
    const out: Array<{ labels: Record<string, string>; value: number; timestamp: number }> = [];
    for (const b of this.batches.values()) {
      for (const ts of b.metrics?.timeseries ?? []) {
        const labels = Object.fromEntries(ts.labels.map((l) => [l.name, l.value]));
        if (labels.__name__ !== name) continue;
        for (const s of ts.samples) out.push({ labels, value: s.value, timestamp: s.timestamp });
      }
    }
    return out;
  }

  logs(): Array<Record<string, unknown>> {
    return [...this.batches.values()].flatMap((b) => b.logs ?? []);
  }
}
