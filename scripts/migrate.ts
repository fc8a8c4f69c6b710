// `npm run db:migrate`: applies migrations/ to the database at DATABASE_URL
// (for Neon, its direct or pooled connection string).
import { applyMigrations } from "./lib/migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("set DATABASE_URL to the Postgres to migrate, e.g. DATABASE_URL=postgres://user:pass@host/db npm run db:migrate");
  process.exit(2);
}
applyMigrations(url)
  .then(() => console.log(`migrations applied to ${new URL(url).host}${new URL(url).pathname}`))
  .catch((err) => {
    console.error(`migration failed: ${(err as Error).message}`);
    process.exit(1);
  });
