// Loopback HTTP endpoint for the agent's own /healthz and /metrics, so the
// host's monitoring (or this agent itself) can watch the watcher.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SelfServer {
  port: number;
  close(): Promise<void>;
}

export function startSelfServer(host: string, port: number, handlers: { health: () => { ok: boolean; body: unknown }; metrics: () => string }): Promise<SelfServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
    } else if (path === "/healthz") {
      const h = handlers.health();
      res.writeHead(h.ok ? 200 : 503, { "Content-Type": "application/json" }).end(JSON.stringify(h.body));
    } else if (path === "/metrics") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(handlers.metrics());
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found: try /healthz or /metrics\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
