import { canSeeCustomerRecord as canSee } from '#platform/auth';
import { isId } from '#platform/errors';
import type { PaymentsContext } from '../context.js';
import type { Payment } from '../generated/prisma/client.js';

/** Reads of payments, through the caller's visibility: customers their own, admins their tenant's. */
export class PaymentQueryService {
  async byId(ctx: PaymentsContext, id: string): Promise<Payment | null> {
    const payment = isId(id) ? await ctx.loaders.paymentById.load(id.toLowerCase()) : null;
    return payment && canSee(ctx.caller, payment) ? payment : null;
  }

  async ofOrder(ctx: PaymentsContext, orderId: string): Promise<Payment | null> {
    const payment = isId(orderId) ? await ctx.loaders.paymentByOrderId.load(orderId.toLowerCase()) : null;
    return payment && canSee(ctx.caller, payment) ? payment : null;
  }
}
