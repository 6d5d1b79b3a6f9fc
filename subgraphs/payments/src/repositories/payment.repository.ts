import type { PaymentsClient } from '../db.js';
import type { Payment } from '../generated/prisma/client.js';

/** Payments of one tenant; the tenant is fixed at construction and part of every query. */
export class PaymentRepository {
  constructor(
    private readonly db: PaymentsClient,
    private readonly tenantId: string,
  ) {}

  findByIds(ids: readonly string[]): Promise<Payment[]> {
    return this.db.payment.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  findByOrderId(orderId: string): Promise<Payment | null> {
    return this.db.payment.findUnique({ where: { tenantId_orderId: { tenantId: this.tenantId, orderId } } });
  }

  /** The payment of an order, created PENDING if it has none yet (the unique (tenant, order) index decides races). */
  async findOrCreatePending(order: { orderId: string; customerId: string; amount: number; currency: string }): Promise<Payment> {
    // one INSERT … ON CONFLICT DO NOTHING RETURNING when it is new; a second read only when it was not
    const [created] = await this.db.payment.createManyAndReturn({ data: [{ tenantId: this.tenantId, ...order, status: 'PENDING' }], skipDuplicates: true });
    return created ?? (await this.findByOrderId(order.orderId))!;
  }

  /** Conditional move between statuses (one UPDATE … RETURNING); null when the payment was not in `from`. */
  async move(id: string, from: Payment['status'], data: Partial<Pick<Payment, 'status' | 'providerReference' | 'failureReason'>>): Promise<Payment | null> {
    const [payment] = await this.db.payment.updateManyAndReturn({ where: { tenantId: this.tenantId, id, status: from }, data });
    return payment ?? null;
  }

  findByOrderIds(orderIds: readonly string[]): Promise<Payment[]> {
    return this.db.payment.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } } });
  }
}
