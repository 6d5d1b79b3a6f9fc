import type { Identity } from '../../../kernel/src/identity.js';
import { isId } from '../../../kernel/src/validation.js';
import type { PaymentsContextScope } from '../context.js';
import type { Payment } from '../generated/prisma/client.js';

/** Customers see the payments of their own orders; admins every payment of their tenant. */
function canSee(caller: Identity, payment: Pick<Payment, 'customerId'>): boolean {
  return caller.role === 'ADMIN' || payment.customerId === caller.userId;
}

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
