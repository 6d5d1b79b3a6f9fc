import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  login: (_parent, args, ctx) => ctx.auth.login(args),
};
