import { loaderById } from '#platform/subgraph';
import type { Tenant, User } from '../generated/prisma/client.js';
import type { TenantRepository } from '../repositories/tenant.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';

/** Per-request loaders: made fresh with every context, so nothing is cached across callers. */
export function createAccountsLoaders(repos: { users: UserRepository }, directory: { tenants: TenantRepository }) {
  return {
    userById: loaderById<User>((ids) => repos.users.findByIds(ids), (u) => u.id),
    tenantById: loaderById<Tenant>((ids) => directory.tenants.findByIds(ids), (t) => t.id),
  };
}

export type AccountsLoaders = ReturnType<typeof createAccountsLoaders>;
