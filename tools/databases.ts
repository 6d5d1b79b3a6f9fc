import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { loadCommonConfig, type Env } from '../subgraphs/kernel/src/config.js';
import { migrationTargetOf, openEmbeddedPglite, type DatabaseTarget } from '../subgraphs/kernel/src/db/database.js';
import { applyMigrations } from '../subgraphs/kernel/src/db/migrator.js';
import { migrationsDirOf } from '../subgraphs/kernel/src/paths.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/kernel/src/names.js';

/**
 * The database of every subgraph as the environment says: DATABASE_URL_<NAME> (PostgreSQL) or the
 * embedded PGlite under DATA_DIR/pglite that `npm start` uses (stop `npm start` before using it).
 */
export async function databaseTargets(
  env: Env,
  names: readonly SubgraphName[] = SUBGRAPH_NAMES,
): Promise<{ targets: Record<SubgraphName, DatabaseTarget>; close(): Promise<void> }> {
  const common = loadCommonConfig(env);
  let pglite: PGlite | undefined;
  const targets = {} as Record<SubgraphName, DatabaseTarget>;
  for (const name of names) {
    const url = env[`DATABASE_URL_${name.toUpperCase()}`];
    if (url) targets[name] = { kind: 'postgres', url, poolSize: 2 };
    else {
      pglite ??= await openEmbeddedPglite(join(common.dataDir, 'pglite'));
      targets[name] = { kind: 'pglite', pglite };
    }
  }
  return { targets, close: async () => void (await pglite?.close()) };
}

/** Applies each named subgraph's migrations to its own database, in order; says what it applied. */
export async function migrateSubgraphs(
  targets: Partial<Record<SubgraphName, DatabaseTarget>>,
  names: readonly SubgraphName[] = SUBGRAPH_NAMES,
  report: (name: SubgraphName, applied: string[]) => void = () => undefined,
): Promise<void> {
  for (const name of names) {
    const target = targets[name];
    if (!target) throw new Error(`no database for subgraph ${name}`);
    const { applied } = await applyMigrations(migrationTargetOf(target), { schema: name, migrationsDir: migrationsDirOf(name) });
    report(name, applied);
  }
}

/** Creates the PostgreSQL database of each DATABASE_URL_<NAME> that does not exist yet. */
export async function createMissingDatabases(env: Env): Promise<string[]> {
  const created: string[] = [];
  for (const name of SUBGRAPH_NAMES) {
    const url = env[`DATABASE_URL_${name.toUpperCase()}`];
    if (!url) continue;
    const target = new URL(url);
    const database = decodeURIComponent(target.pathname.slice(1));
    if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new Error(`DATABASE_URL_${name.toUpperCase()}: unusual database name "${database}"`);
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) {
        await client.query(`CREATE DATABASE "${database}"`);
        created.push(database);
      }
    } finally {
      await client.end();
    }
  }
  return created;
}
