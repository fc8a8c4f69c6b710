// The embedded default database: PGlite (Postgres compiled to WASM) persisted
// under a data directory and served on a loopback TCP port.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { freePort } from "./free-port";

export interface EmbeddedDb {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedDb(dataDir: string, port = 0): Promise<EmbeddedDb> {
  mkdirSync(dataDir, { recursive: true });
  // pg_trgm: migration 0007 indexes error messages for the log API's text search.
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const chosen = port || (await freePort());
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: chosen, maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${chosen}/postgres`,
    host: "127.0.0.1",
    port: chosen,
    async close() {
      await server.stop().catch(() => {});
      await db.close().catch(() => {});
    },
  };
}
