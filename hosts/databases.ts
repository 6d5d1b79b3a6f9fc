import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { loadCommonConfig, type Env } from '#platform/config';
import { applyMigrations, createAdapterFactory, migrationTargetOf, openEmbeddedPglite, StatementCounter, type DatabaseTarget } from '#platform/db';
import { applyOutboxMigrations } from '#platform/events';
import { migrationsDirOf, SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { seedAll, type SeedTargets } from '../prisma/seed.js';
import { createAccountsDb } from '../subgraphs/accounts/src/db.js';
import { createCatalogDb } from '../subgraphs/catalog/src/db.js';
import { createInventoryDb } from '../subgraphs/inventory/src/db.js';
import { createOrdersDb } from '../subgraphs/orders/src/db.js';
import { createPaymentsDb } from '../subgraphs/payments/src/db.js';
import { createShippingDb } from '../subgraphs/shipping/src/db.js';

export { seedAll };

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

/** Applies each named subgraph's migrations, then the platform's (its outbox and inbox), to its own database; says what it applied. */
export async function migrateSubgraphs(
  targets: Partial<Record<SubgraphName, DatabaseTarget>>,
  names: readonly SubgraphName[] = SUBGRAPH_NAMES,
  report: (name: SubgraphName, applied: string[]) => void = () => undefined,
): Promise<void> {
  for (const name of names) {
    const target = targets[name];
    if (!target) throw new Error(`no database for subgraph ${name}`);
    const own = await applyMigrations(migrationTargetOf(target), { schema: name, migrationsDir: migrationsDirOf(name) });
    const platform = await applyOutboxMigrations(migrationTargetOf(target), { schema: name });
    report(name, [...own.applied, ...platform.applied]);
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

/** Every subgraph's own Prisma client on its own database, for seeding outside a running service. */
export function seedTargetsOn(targets: Record<SubgraphName, DatabaseTarget>): SeedTargets & { disconnect(): Promise<void> } {
  const adapter = (name: SubgraphName) => createAdapterFactory(targets[name], new StatementCounter(name));
  const clients = {
    accounts: createAccountsDb(adapter('accounts')),
    catalog: createCatalogDb(adapter('catalog')),
    inventory: createInventoryDb(adapter('inventory')),
    orders: createOrdersDb(adapter('orders')),
    payments: createPaymentsDb(adapter('payments')),
    shipping: createShippingDb(adapter('shipping')),
  };
  return { ...clients, disconnect: async () => void (await Promise.all(Object.values(clients).map((c) => c.$disconnect()))) };
}

/** Migrates and seeds every subgraph's database as the environment names them, then closes them. Idempotent. */
export async function migrateAndSeed(env: Env): Promise<void> {
  await createMissingDatabases(env);
  const { targets, close } = await databaseTargets(env);
  try {
    await migrateSubgraphs(targets);
    const clients = seedTargetsOn(targets);
    await seedAll(clients);
    await clients.disconnect();
  } finally {
    await close();
  }
}
