import type { TenantResolvers } from '../generated/graphql.js';

export const Tenant: TenantResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.users.tenantByReference(ctx, ref.id),
};
