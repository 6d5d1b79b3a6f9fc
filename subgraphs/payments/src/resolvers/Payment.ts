import type { PaymentResolvers } from '../generated/graphql.js';

export const Payment: PaymentResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.payments.byId(ctx, ref.id),
  amount: (payment) => ({ amount: payment.amount, currency: payment.currency }),
};
