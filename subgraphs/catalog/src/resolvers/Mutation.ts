import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  createProduct: (_parent, args, ctx) => ctx.services.products.create(ctx, args.input),
};
