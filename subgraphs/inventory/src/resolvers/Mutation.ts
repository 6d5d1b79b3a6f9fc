import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  adjustStock: (_parent, args, ctx) => ctx.stock.adjust(args.productId, args.delta, args.reason),
};
