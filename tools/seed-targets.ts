import { seedAll, type SeedTargets } from '../prisma/seed.js';
import { createAdapterFactory, StatementCounter, type DatabaseTarget } from '../subgraphs/kernel/src/db/database.js';
import type { SubgraphName } from '../subgraphs/kernel/src/names.js';
import { createAccountsDb } from '../subgraphs/accounts/src/db.js';
import { createCatalogDb } from '../subgraphs/catalog/src/db.js';
import { createInventoryDb } from '../subgraphs/inventory/src/db.js';
import { createOrdersDb } from '../subgraphs/orders/src/db.js';
import { createPaymentsDb } from '../subgraphs/payments/src/db.js';
import { createShippingDb } from '../subgraphs/shipping/src/db.js';

export { seedAll };

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

/**
 * Migrates and seeds every subgraph's database as the environment names them (see databases.ts),
 * then closes them. Idempotent.
 */
export async function migrateAndSeed(env: Record<string, string | undefined>): Promise<void> {
  const { createMissingDatabases, databaseTargets, migrateSubgraphs } = await import('./databases.js');
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
