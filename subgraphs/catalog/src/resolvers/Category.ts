import type { CategoryResolvers } from '../generated/graphql.js';

export const Category: CategoryResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.categories.byReference(ctx, ref.id),
  products: (category, args, ctx) => ctx.services.categories.productsOf(ctx, category, args.first, args.after),
};
