import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => ctx.services.users.me(ctx),
  currentTenant: (_parent, _args, ctx) => ctx.services.users.currentTenant(ctx),
  users: (_parent, args, ctx) => ctx.services.users.list(ctx, args.first, args.after),
};
