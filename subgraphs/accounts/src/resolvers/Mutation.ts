import { requireIdentity } from '#platform/auth';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  login: (_parent, args, ctx) => ctx.auth.login(args),
  refreshToken: (_parent, args, ctx) => ctx.auth.refresh(args.token),
  logout: (_parent, _args, ctx) => ctx.auth.logout(requireIdentity(ctx.identity)),
};
