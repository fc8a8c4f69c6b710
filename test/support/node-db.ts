// A drizzle Db on the test database through the Neon driver (as the workers
// use it), over a local WebSocket proxy: opened before a file's tests and
// closed after them.
import { afterAll, beforeAll, inject } from "vitest";
import type { Db, DbHandle } from "../../shared/db";
import { openNodeDb } from "../../scripts/lib/node-db";
import { startWsProxy, type WsProxy } from "../../scripts/lib/ws-proxy";

/** Registers the hooks; the returned function gives the Db once beforeAll has run. */
export function useNodeDb(): () => Db {
  let proxy: WsProxy | undefined;
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    const url = new URL(inject("databaseUrl"));
    proxy = await startWsProxy({ host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname, port: Number(url.port || 5432) });
    handle = openNodeDb(url.toString(), proxy.url);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await proxy?.close();
  });
  return () => {
    if (!handle) throw new Error("useNodeDb: the database is opened in beforeAll");
    return handle.db;
  };
}
