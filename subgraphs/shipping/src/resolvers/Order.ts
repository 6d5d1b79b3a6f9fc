import type { OrderResolvers } from '../generated/graphql.js';

export const Order: OrderResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  shipment: (order, _args, ctx) => ctx.services.shipments.ofOrder(ctx, order.id),
};
