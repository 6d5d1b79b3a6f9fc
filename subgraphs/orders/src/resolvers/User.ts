import type { UserResolvers } from '../generated/graphql.js';

export const User: UserResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  orders: (user, args, ctx) => ctx.services.orders.listForUser(ctx, user.id, args.first, args.after),
};
