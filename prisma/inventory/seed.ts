import type { InventoryDb } from '../../subgraphs/inventory/src/db.js';
import { demoId, DEMO_TENANTS } from '../demo-data.js';

/** Stock for every demo product, with its opening entry in the ledger. */
export async function seedInventory(db: InventoryDb): Promise<void> {
  await db.stockItem.createMany({
    data: DEMO_TENANTS.flatMap((t) => t.products.map((p) => ({ id: p.id, tenantId: t.id, productId: p.id, available: p.available, reserved: 0 }))),
    skipDuplicates: true,
  });
  await db.stockMovement.createMany({
    data: DEMO_TENANTS.flatMap((t) =>
      t.products.map((p) => ({
        id: demoId(t.slug, 'movement', 'opening', p.id), tenantId: t.id, productId: p.id, kind: 'ADJUSTMENT' as const,
        availableDelta: p.available, reservedDelta: 0, reason: 'Opening stock (demo data)', actorId: null,
      })),
    ),
    skipDuplicates: true,
  });
}
