import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  login: (_parent, args, ctx) => ctx.services.auth.login(ctx, args),
  refreshToken: (_parent, args, ctx) => ctx.services.auth.refresh(ctx, args.token),
  logout: (_parent, _args, ctx) => ctx.services.auth.logout(ctx),
};
