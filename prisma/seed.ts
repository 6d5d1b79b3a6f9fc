// Seeds every subgraph's own database with the demo data; each part through its own client.
import type { AccountsDb } from '../subgraphs/accounts/src/db.js';
import type { CatalogDb } from '../subgraphs/catalog/src/db.js';
import type { InventoryDb } from '../subgraphs/inventory/src/db.js';
import type { OrdersDb } from '../subgraphs/orders/src/db.js';
import type { PaymentsDb } from '../subgraphs/payments/src/db.js';
import type { ShippingDb } from '../subgraphs/shipping/src/db.js';
import { seedAccounts } from './accounts/seed.js';
import { seedCatalog } from './catalog/seed.js';
import { seedInventory } from './inventory/seed.js';
import { seedOrders } from './orders/seed.js';
import { seedPayments } from './payments/seed.js';
import { seedShipping } from './shipping/seed.js';

export interface SeedTargets {
  accounts: AccountsDb;
  catalog: CatalogDb;
  inventory: InventoryDb;
  orders: OrdersDb;
  payments: PaymentsDb;
  shipping: ShippingDb;
}

/** Idempotent: ids are fixed, rows that exist are left alone. */
export async function seedAll(db: SeedTargets): Promise<void> {
  await seedAccounts(db.accounts);
  await seedCatalog(db.catalog);
  await seedInventory(db.inventory);
  await seedOrders(db.orders);
  await seedPayments(db.payments);
  await seedShipping(db.shipping);
}
