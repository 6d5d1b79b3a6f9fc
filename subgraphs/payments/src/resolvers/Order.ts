import type { OrderResolvers } from '../generated/graphql.js';

export const Order: OrderResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  payment: (order, _args, ctx) => ctx.services.payments.ofOrder(ctx, order.id),
};
