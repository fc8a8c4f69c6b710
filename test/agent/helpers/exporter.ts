// A fixture exporter on loopback: serves whatever body() returns, counts scrapes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export class FixtureExporter {
  scrapes = 0;
  status = 200;
  contentType = "text/plain; version=0.0.4; charset=utf-8";
  private server!: Server;
  port = 0;

  constructor(public body: (n: number) => string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.status !== 200) {
        res.writeHead(this.status).end("down");
        return;
      }
      const n = ++this.scrapes;
      res.writeHead(200, { "Content-Type": this.contentType }).end(this.body(n));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/metrics`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
