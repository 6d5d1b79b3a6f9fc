import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  lowStock: (_parent, args, ctx) => ctx.services.stock.lowStock(ctx, args.threshold),
};
