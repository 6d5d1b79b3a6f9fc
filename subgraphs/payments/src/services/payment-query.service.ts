import { canSeeCustomerRecord as canSee } from '#platform/auth';
import { isId } from '#platform/errors';
import type { PaymentsContextScope } from '../context.js';
import type { Payment } from '../generated/prisma/client.js';

export class PaymentQueryService {
  constructor(private readonly scope: PaymentsContextScope) {}

  async byId(id: string): Promise<Payment | null> {
    const { caller, loaders } = this.scope();
    const payment = isId(id) ? await loaders.paymentById.load(id.toLowerCase()) : null;
    return payment && canSee(caller, payment) ? payment : null;
  }

  async ofOrder(orderId: string): Promise<Payment | null> {
    const { caller, loaders } = this.scope();
    const payment = isId(orderId) ? await loaders.paymentByOrderId.load(orderId.toLowerCase()) : null;
    return payment && canSee(caller, payment) ? payment : null;
  }
}
