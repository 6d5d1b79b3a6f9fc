import type { StockResolvers } from '../generated/graphql.js';

export const Stock: StockResolvers = {
  __resolveReference: (ref, ctx) => ctx.stock.byReference(ref.id),
  product: (stock) => ({ id: stock.productId }),
};
