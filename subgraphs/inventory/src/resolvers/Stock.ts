import type { StockResolvers } from '../generated/graphql.js';

export const Stock: StockResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.stock.byReference(ctx, ref.id),
  product: (stock) => ({ id: stock.productId }),
};
