// `npm start`: the whole local stack on one base URL. Uses the Postgres at
// DATABASE_URL when set, else an embedded PGlite persisted under .inferscope/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateApiKey } from "../shared/auth";
import { createKey, ensureTenant } from "../shared/admin";
import { ROOT } from "./lib/bundle";
import { startEmbeddedDb, type EmbeddedDb } from "./lib/embedded-db";
import { applyMigrations } from "./lib/migrate";
import { openNodeDb } from "./lib/node-db";
import { startStack } from "./lib/stack";

const DATA_DIR = process.env.INFERSCOPE_DATA_DIR ?? join(ROOT, ".inferscope");
const PORT = Number(process.env.PORT ?? 8787);
const log = (msg: string) => console.log(`[inferscope] ${msg}`);

/** The dev key: INFERSCOPE_API_KEY when given, else one kept in the data dir across restarts. */
function devKey(): string {
  if (process.env.INFERSCOPE_API_KEY) return process.env.INFERSCOPE_API_KEY;
  const file = join(DATA_DIR, "dev-api-key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = generateApiKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

let embedded: EmbeddedDb | undefined;

async function main() {
  mkdirSync(DATA_DIR, { recursive: true });
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedDb(join(DATA_DIR, "pgdata"));
    databaseUrl = embedded.url;
    log(`embedded database (PGlite) in ${join(DATA_DIR, "pgdata")}`);
  } else {
    log(`database ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}`);
  }
  await applyMigrations(databaseUrl);
  log("migrations applied");

  const stack = await startStack({
    databaseUrl,
    port: PORT,
    buildDir: join(DATA_DIR, "build"),
    dataDir: DATA_DIR,
    adminBootstrapKey: process.env.ADMIN_BOOTSTRAP_KEY,
    retentionDays: process.env.RETENTION_DAYS ? Number(process.env.RETENTION_DAYS) : undefined,
    derivedSeriesTtl: process.env.DERIVED_SERIES_TTL || undefined,
    compactionHead: process.env.COMPACTION_HEAD || undefined,
    cronIntervalMs: 60_000,
    log,
  });
  const db = openNodeDb(databaseUrl, stack.proxy.url);
  const tenant = await ensureTenant(db.db, "dev");
  const key = devKey();
  await createKey(db.db, { tenantId: tenant.id, scopes: ["ingest", "query", "admin"], name: "dev", key });
  await db.close();
  await stack.runCron();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log("stopping");
    await stack.close().catch(() => {});
    await embedded?.close().catch(() => {});
    process.exit(0);
  };
  // Miniflare's exit hook would exit(130) at once on Ctrl-C, before PGlite is
  // closed; we take the signals over and dispose of Miniflare ourselves.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }

  console.log(`
Inferscope is running at ${stack.url}  (tenant "dev")
  API key:     ${key}
  Grafana:     add a Prometheus datasource with URL ${stack.url} and header
               Authorization: Bearer <API key>
  Send data:   curl -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
                 ${stack.url}/v1/metrics -d '{"series":[{"name":"demo_up","labels":{"host":"gpu-1"},"samples":[['$(date +%s000)', 1]]}]}'
  Query:       curl -H "Authorization: Bearer ${key}" '${stack.url}/api/v1/query?query=demo_up'
Press Ctrl-C to stop.
READY ${stack.url}`);
}

main().catch(async (err) => {
  console.error(`[inferscope] failed to start: ${(err as Error).stack ?? err}`);
  // Close the embedded database properly: its files must stay consistent.
  await embedded?.close().catch(() => {});
  process.exit(1);
});
