import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrationsDirOf, type SubgraphName } from '#contracts';
import { applyMigrations } from '#platform/db';
import { applyOutboxMigrations } from '#platform/events';

/** The machine's PostgreSQL, as the superuser, for creating and dropping a suite's own databases. */
export const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on its own connection (CREATE/DROP DATABASE cannot run in a transaction). */
export async function admin(sql: string): Promise<void> {
  const connection = new pg.Client({ connectionString: ADMIN_URL });
  await connection.connect();
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/** A database of one test file's own on the machine's PostgreSQL. */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates `sc_<prefix>_<random>`, applies `subgraph`'s migrations to it (and, with `outbox`, the
 * platform's outbox and inbox), and returns its URL; `drop` removes it, connections and all.
 */
export async function scratchDatabase(prefix: string, subgraph: SubgraphName, options: { outbox?: boolean } = {}): Promise<ScratchDatabase> {
  const database = `sc_${prefix}_${randomBytes(6).toString('hex')}`;
  const url = `postgres://postgres@127.0.0.1:5432/${database}`;
  await admin(`CREATE DATABASE "${database}"`);
  const target = { kind: 'postgres' as const, connectionString: url };
  await applyMigrations(target, { schema: subgraph, migrationsDir: migrationsDirOf(subgraph) });
  if (options.outbox) await applyOutboxMigrations(target, { schema: subgraph });
  return { name: database, url, drop: () => admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`) };
}
