// The small WebSocket-to-TCP proxy the Neon serverless driver needs to reach a
// local Postgres (Neon runs the real one in production). The driver connects to
// ws://HOST:PORT/v1?address=db-host:db-port; only the configured database may
// be reached through it.
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type * as WsTypes from "ws";

const require = createRequire(import.meta.url);
const { WebSocketServer } = require("ws") as typeof WsTypes;

export interface WsProxy {
  url: string;
  close(): Promise<void>;
}

// A frontend Terminate message ('X', length 4). PGlite's socket server does not
// close on it, so the proxy does, or each closed pool leaks a connection slot.
function isTerminate(buf: Buffer): boolean {
  return buf.length === 5 && buf[0] === 0x58 && buf.readUInt32BE(1) === 4;
}

export async function startWsProxy(target: { host: string; port: number }, listenPort = 0): Promise<WsProxy> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(426).end("WebSocket only\n");
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "/", "http://x").searchParams.get("address") ?? "";
    const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
    const allowed = (host === target.host || (host === "localhost" && target.host === "127.0.0.1")) && port === target.port;
    if (!allowed) {
      ws.close(1008, `this proxy only reaches ${target.host}:${target.port}`);
      return;
    }
    const tcp = connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let connected = false;
    tcp.on("connect", () => {
      connected = true;
      for (const b of pending) tcp.write(b);
      pending.length = 0;
    });
    tcp.on("data", (d) => ws.readyState === ws.OPEN && ws.send(d));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close());
    ws.on("message", (data: Buffer) => {
      if (connected) tcp.write(data);
      else pending.push(data);
      if (isTerminate(data)) {
        tcp.end();
        ws.close();
      }
    });
    ws.on("close", () => tcp.destroy());
    ws.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
