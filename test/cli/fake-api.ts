// A stand-in for the Inferscope query worker in CLI tests: node:http on a free
// loopback port, answering what each test routes, in the API's envelope, and
// recording every request it got. The real stack is tested elsewhere.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Io } from "../../cli/terminal/io";

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  auth: string | undefined;
}

export type Reply = { status?: number; body: unknown } | { status?: number; raw: string };
export type Handler = (req: Seen, n: number) => Reply | Promise<Reply>;

export const ok = (data: unknown): Reply => ({ body: { status: "success", data } });
export const apiError = (status: number, errorType: string, error: string): Reply => ({ status, body: { status: "error", errorType, error } });

export const TEST_KEY = "isk_test_query";

export class FakeApi {
  readonly seen: Seen[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly counts = new Map<string, number>();
  private server!: Server;
  url = "";

  /** Answers GET <path> (no query string) with the handler; n counts that path's calls from 1. */
  route(path: string, handler: Handler): this {
    this.routes.set(path, handler);
    return this;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.answer(req).then(({ status, text }) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(text);
    }));
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get port() {
    return Number(new URL(this.url).port);
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  calls(path: string) {
    return this.seen.filter((s) => s.path === path);
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; text: string }> {
    const u = new URL(req.url ?? "/", "http://x");
    const seen: Seen = { method: req.method ?? "GET", path: u.pathname, query: u.searchParams, auth: req.headers.authorization };
    this.seen.push(seen);
    if (seen.auth !== `Bearer ${TEST_KEY}`) return { status: 401, text: JSON.stringify({ status: "error", errorType: "unauthorized", error: "invalid or revoked API key" }) };
    const handler = this.routes.get(u.pathname);
    if (!handler) return { status: 404, text: JSON.stringify({ status: "error", errorType: "not_found", error: `no such API endpoint: GET ${u.pathname}` }) };
    const n = (this.counts.get(u.pathname) ?? 0) + 1;
    this.counts.set(u.pathname, n);
    const reply = await handler(seen, n);
    return { status: reply.status ?? 200, text: "raw" in reply ? reply.raw : JSON.stringify(reply.body) };
  }
}

/** An Io that keeps what a command writes; not a TTY unless asked. */
export function captureIo(opts: { env?: Record<string, string | undefined>; now?: () => number; tty?: boolean; signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (s: string) => out.push(s), isTTY: opts.tty, columns: 120 },
    stderr: { write: (s: string) => err.push(s), isTTY: opts.tty },
    env: opts.env ?? {},
    now: opts.now,
    signal: opts.signal,
  };
  return { io, out: () => out.join(""), err: () => err.join("") };
}
