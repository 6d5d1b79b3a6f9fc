import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  placeOrder: (_parent, args, ctx) => ctx.services.checkout.place(ctx, args.input),
  cancelOrder: (_parent, args, ctx) => ctx.services.checkout.cancel(ctx, args.id),
};
