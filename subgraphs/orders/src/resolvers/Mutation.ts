import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  placeOrder: (_parent, args, ctx) => ctx.checkout.place(args.input),
  cancelOrder: (_parent, args, ctx) => ctx.checkout.cancel(args.id),
};
