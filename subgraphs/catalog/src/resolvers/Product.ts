import type { ProductResolvers } from '../generated/graphql.js';

export const Product: ProductResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.products.get(ctx, ref.id),
  price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
  category: (product, _args, ctx) => ctx.services.products.category(ctx, product),
};
