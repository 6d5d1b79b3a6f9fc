import type { OrderResolvers } from '../generated/graphql.js';

export const Order: OrderResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.orders.get(ctx, ref.id),
  customer: (order) => ({ id: order.customerId }),
  items: (order, _args, ctx) => ctx.services.orders.items(ctx, order),
  total: (order) => ({ amount: order.totalAmount, currency: order.currency }),
};
