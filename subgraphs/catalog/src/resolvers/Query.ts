import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  products: (_parent, args, ctx) => ctx.products.list(args),
  product: (_parent, args, ctx) => ctx.products.get(args.id),
  categories: (_parent, _args, ctx) => ctx.categories.all(),
};
