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

  findByOrderIds(orderIds: readonly string[]): Promise<Payment[]> {
    return this.db.payment.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } } });
  }
}
