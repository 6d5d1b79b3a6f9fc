import type { OrderResolvers } from '../generated/graphql.js';

export const Order: OrderResolvers = {
  __resolveReference: (ref, ctx) => ctx.orders.get(ref.id),
  customer: (order) => ({ id: order.customerId }),
  items: (order, _args, ctx) => ctx.orders.items(order),
  total: (order) => ({ amount: order.totalAmount, currency: order.currency }),
};
