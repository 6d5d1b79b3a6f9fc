import type { UserResolvers } from '../generated/graphql.js';

export const User: UserResolvers = {
  __resolveReference: (ref, ctx) => ctx.users.byReference(ref.id),
  tenant: (user, _args, ctx) => ctx.users.tenantOf(user),
};
