import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  products: (_parent, args, ctx) => ctx.services.products.list(ctx, args),
  product: (_parent, args, ctx) => ctx.services.products.get(ctx, args.id),
  categories: (_parent, _args, ctx) => ctx.services.categories.all(ctx),
};
