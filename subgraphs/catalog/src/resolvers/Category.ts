import type { CategoryResolvers } from '../generated/graphql.js';

export const Category: CategoryResolvers = {
  __resolveReference: (ref, ctx) => ctx.categories.byReference(ref.id),
  products: (category, args, ctx) => ctx.categories.productsOf(category, args.first, args.after),
};
