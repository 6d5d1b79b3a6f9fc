import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  order: (_parent, args, ctx) => ctx.services.orders.get(ctx, args.id),
  orders: (_parent, args, ctx) => ctx.services.orders.listForTenant(ctx, args),
  ordersChangedSince: (_parent, args, ctx) => ctx.services.orders.changedSince(ctx, new Date(args.since), args.limit),
};
