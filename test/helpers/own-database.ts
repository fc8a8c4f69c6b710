// A migrated database of a test file's own, beside the run's shared one, for
// tests whose cron runs must not touch (or be touched by) other files' tenants:
// the rule cron and notification delivery work over every tenant of a database.
import { inject } from "vitest";
import pg from "pg";
import { applyMigrations } from "../../scripts/lib/migrate";

export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onShared(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: inject("databaseUrl") });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function createOwnDatabase(prefix: string): Promise<OwnDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/g, "_");
  await onShared(`CREATE DATABASE ${name}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return { url: url.toString(), drop: () => onShared(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
