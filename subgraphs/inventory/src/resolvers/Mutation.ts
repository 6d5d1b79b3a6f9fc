import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  adjustStock: (_parent, args, ctx) => ctx.services.stock.adjust(ctx, args.productId, args.delta, args.reason),
};
