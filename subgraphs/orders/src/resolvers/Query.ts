import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  order: (_parent, args, ctx) => ctx.orders.get(args.id),
  orders: (_parent, args, ctx) => ctx.orders.listForTenant(args),
};
