import type { ProductResolvers } from '../generated/graphql.js';

export const Product: ProductResolvers = {
  __resolveReference: (ref, ctx) => ctx.products.get(ref.id),
  price: (product) => ({ amount: product.priceAmount, currency: product.priceCurrency }),
  category: (product, _args, ctx) => ctx.products.category(product),
};
