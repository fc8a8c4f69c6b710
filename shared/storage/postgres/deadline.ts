// A deadline that Postgres itself enforces: each statement runs in its own
// transaction with SET LOCAL statement_timeout = what is left of the
// deadline, so a slow read is cancelled by Postgres (SQLSTATE 57014) and
// nothing is left running after the answer. SET LOCAL ends with the
// transaction, so the connection goes back to the pool as it was (and it is
// safe behind a transaction-mode pooler). Cost: one round trip a statement
// ("BEGIN; SET LOCAL ..." in one simple query; COMMIT is not waited for);
// drizzle's transaction() waits for three (BEGIN, SET, COMMIT).
import { Pool } from "@neondatabase/serverless";
import { sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-serverless";
import type { Db } from "../../db";
import { sqlState } from "./errors";

/** A statement hit the deadline: cancelled by Postgres, or none of the time was left. */
export class StatementDeadlineError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`statement cancelled at its deadline (${timeoutMs} ms)`);
  }
}

export type Reader = Pick<Db, "execute">;

async function onPoolClient(pool: Pool, leftMs: number, query: SQL) {
  const client = await pool.connect();
  let broken = true;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${leftMs}`);
    const res = await drizzle({ client }).execute(query);
    // Not awaited: the transaction only read, so its end changes nothing but the connection's state, and the
    // client's own queue runs the COMMIT before anything the pool next gives it (a connection closed first
    // rolls back, which is the same). So the answer waits one round trip more than without a deadline, not two.
    client.query("COMMIT").catch(() => {});
    broken = false;
    return res;
  } finally {
    // A connection left in a failed transaction is closed, not reused.
    client.release(broken);
  }
}

/** The same through drizzle's transaction(), for a Db that is not over a Neon Pool. */
function inTransaction(db: Db, leftMs: number, query: SQL) {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SET LOCAL statement_timeout = ${leftMs}`));
    return tx.execute(query);
  });
}

/** Statements through the returned reader end within timeoutMs of this call, or throw StatementDeadlineError. */
export function deadlineReader(db: Db, timeoutMs: number): Reader {
  const deadline = Date.now() + timeoutMs;
  const execute = async (query: SQL) => {
    const left = Math.ceil(deadline - Date.now());
    if (!(left > 0)) throw new StatementDeadlineError(timeoutMs);
    const pool = (db as { $client?: unknown }).$client;
    try {
      return await (pool instanceof Pool ? onPoolClient(pool, left, query) : inTransaction(db, left, query));
    } catch (err) {
      if (sqlState(err) === "57014") throw new StatementDeadlineError(timeoutMs);
      throw err;
    }
  };
  return { execute: execute as Reader["execute"] };
}

/** A reader bounded by timeoutMs, or the Db itself when there is no deadline. */
export const readerFor = (db: Db, timeoutMs: number | undefined): Reader => (timeoutMs === undefined ? db : deadlineReader(db, timeoutMs));
