import type { DataAccess, RequestContext } from '#platform/subgraph';
import type { AccountsClient } from './db.js';
import { createAccountsLoaders, type AccountsLoaders } from './loaders/index.js';
import { RefreshTokenDirectory, RefreshTokenRepository } from './repositories/refresh-token.repository.js';
import { TenantRepository } from './repositories/tenant.repository.js';
import { UserRepository } from './repositories/user.repository.js';

export interface AccountsRepositories {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
}

/** What sign-in looks up before it knows a tenant: the tenant by its slug, a refresh token by its id. */
export interface AccountsDirectory {
  tenants: TenantRepository;
  refreshTokens: RefreshTokenDirectory;
}

export interface AccountsData {
  repos: AccountsRepositories;
  loaders: AccountsLoaders;
  directory: AccountsDirectory;
}

/** How accounts reaches its data: repositories bound to the context's tenant, loaders, and the directory. */
export const accountsData: DataAccess<AccountsClient, AccountsData> = {
  repositories: (db, tenantId) => ({ users: new UserRepository(db, tenantId), refreshTokens: new RefreshTokenRepository(db, tenantId) }),
  directory: (db) => ({ tenants: new TenantRepository(db), refreshTokens: new RefreshTokenDirectory(db) }),
  loaders: createAccountsLoaders,
};

/** What every accounts service method takes first. */
export type AccountsContext = RequestContext<AccountsData>;
