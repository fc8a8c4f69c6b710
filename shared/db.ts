// Database access: drizzle over the Neon serverless driver (Pool over WebSocket).
// On Workers a Pool cannot outlive the request or queue batch that made it, so
// callers open one per invocation and close it with waitUntil(close()).
import { Pool, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema";
import type { DbEnv } from "./env";

export type Db = NeonDatabase<typeof schema>;
/** What db.transaction() hands its callback. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface DbHandle {
  db: Db;
  close(): Promise<void>;
}

let configuredProxy: string | undefined;

/** Local stack only: route the driver through our plain-ws proxy; Neon keeps the driver defaults. */
function configureLocalProxy(proxy: string | undefined): void {
  if (!proxy || proxy === configuredProxy) return;
  const base = proxy.replace(/\/+$/, "");
  neonConfig.wsProxy = (host, port) => `${base.replace(/^wss?:\/\//, "")}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = base.startsWith("wss://");
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  configuredProxy = proxy;
}

export function openDb(env: DbEnv, maxConnections = 4): DbHandle {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not configured for this worker");
  configureLocalProxy(env.DB_WS_PROXY);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: maxConnections });
  // Ending a pool makes idle clients report "Network connection lost": expected.
  pool.on("error", () => {});
  return { db: drizzle(pool, { schema }), close: () => pool.end() };
}
