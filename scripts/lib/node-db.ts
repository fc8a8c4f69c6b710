// The shared database module (Neon driver) used from Node: it needs a
// WebSocket constructor, which workerd has built in.
import { createRequire } from "node:module";
import { neonConfig } from "@neondatabase/serverless";
import { openDb, type DbHandle } from "../../shared/db";

const require = createRequire(import.meta.url);
neonConfig.webSocketConstructor = require("ws");

export function openNodeDb(databaseUrl: string, wsProxy: string): DbHandle {
  return openDb({ DATABASE_URL: databaseUrl, DB_WS_PROXY: wsProxy });
}
