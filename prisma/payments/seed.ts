import type { PaymentsDb } from '../../subgraphs/payments/src/db.js';
import { demoId, DEMO_TENANTS } from '../demo-data.js';

/** A captured payment for every demo order that got that far; the cancelled one was refunded. */
export async function seedPayments(db: PaymentsDb): Promise<void> {
  await db.payment.createMany({
    data: DEMO_TENANTS.flatMap((t) =>
      t.orders.map((o) => {
        const id = demoId(t.slug, 'payment', o.id);
        return {
          id, tenantId: t.id, orderId: o.id, customerId: o.customerId, status: o.state === 'CANCELLED' ? ('REFUNDED' as const) : ('CAPTURED' as const),
          amount: o.totalAmount, currency: o.currency, providerReference: `sim_${id.slice(0, 8)}`, createdAt: o.createdAt,
        };
      }),
    ),
    skipDuplicates: true,
  });
}
