import type { ShippingDb } from '../../subgraphs/shipping/src/db.js';
import { demoId, DEMO_TENANTS } from '../demo-data.js';

const STATUS = { DELIVERED: 'DELIVERED', SHIPPED: 'IN_TRANSIT', CONFIRMED: 'PENDING', CANCELLED: 'CANCELLED' } as const;

/** A shipment for every demo order: delivered, in transit, waiting for the carrier, or cancelled. */
export async function seedShipping(db: ShippingDb): Promise<void> {
  await db.shipment.createMany({
    data: DEMO_TENANTS.flatMap((t) =>
      t.orders.map((o, n) => {
        const id = demoId(t.slug, 'shipment', o.id);
        const shipped = o.state === 'DELIVERED' || o.state === 'SHIPPED';
        return {
          id, tenantId: t.id, orderId: o.id, customerId: o.customerId, status: STATUS[o.state],
          carrier: n % 2 ? 'UPS' : 'DHL', trackingNumber: `DEMO${id.replace(/-/g, '').slice(0, 12).toUpperCase()}`,
          shippedAt: shipped ? new Date(o.createdAt.getTime() + 86_400_000) : null,
          deliveredAt: o.state === 'DELIVERED' ? new Date(o.createdAt.getTime() + 3 * 86_400_000) : null,
          createdAt: o.createdAt,
        };
      }),
    ),
    skipDuplicates: true,
  });
}
