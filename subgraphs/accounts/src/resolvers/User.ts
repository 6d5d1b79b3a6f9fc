import type { UserResolvers } from '../generated/graphql.js';

export const User: UserResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.users.byReference(ctx, ref.id),
  tenant: (user, _args, ctx) => ctx.services.users.tenantOf(ctx, user),
};
