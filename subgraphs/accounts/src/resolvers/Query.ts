import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => ctx.users.me(),
  currentTenant: (_parent, _args, ctx) => ctx.users.currentTenant(),
  users: (_parent, args, ctx) => ctx.users.list(args.first, args.after),
};
