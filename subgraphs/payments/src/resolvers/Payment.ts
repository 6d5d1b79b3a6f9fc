import type { PaymentResolvers } from '../generated/graphql.js';

export const Payment: PaymentResolvers = {
  __resolveReference: (ref, ctx) => ctx.payments.byId(ref.id),
  amount: (payment) => ({ amount: payment.amount, currency: payment.currency }),
};
