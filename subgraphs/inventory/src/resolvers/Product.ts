import type { ProductResolvers } from '../generated/graphql.js';

export const Product: ProductResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  stock: (product, _args, ctx) => ctx.services.stock.forProduct(ctx, product.id),
};
