import type { OrdersDb } from '../../subgraphs/orders/src/db.js';
import { demoId, DEMO_TENANTS } from '../demo-data.js';

/** Orders' price list (its copy of the catalog) and a few past orders per customer. */
export async function seedOrders(db: OrdersDb): Promise<void> {
  await db.catalogProduct.createMany({
    data: DEMO_TENANTS.flatMap((t) => t.products.map((p) => ({ tenantId: t.id, productId: p.id, sku: p.sku, name: p.name, priceAmount: p.priceAmount, currency: p.currency }))),
    skipDuplicates: true,
  });
  const orders = DEMO_TENANTS.flatMap((t) => t.orders.map((o) => ({ tenant: t, order: o })));
  await db.order.createMany({
    data: orders.map(({ tenant, order }) => ({
      id: order.id, tenantId: tenant.id, customerId: order.customerId, status: order.state, statusReason: order.statusReason,
      totalAmount: order.totalAmount, currency: order.currency, idempotencyKey: `demo-${order.id}`, createdAt: order.createdAt,
    })),
    skipDuplicates: true,
  });
  await db.orderItem.createMany({
    data: orders.flatMap(({ tenant, order }) =>
      order.lines.map((line, position) => ({
        id: demoId(tenant.slug, 'order-item', order.id, String(position)), tenantId: tenant.id, orderId: order.id, productId: line.productId,
        quantity: line.quantity, unitPriceAmount: line.unitPriceAmount, currency: order.currency, position,
      })),
    ),
    skipDuplicates: true,
  });
}
