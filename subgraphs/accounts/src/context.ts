import { type RequestScope, type SubgraphRuntime, tenantScope } from '#platform/subgraph';
import type { AccountsDb, AccountsTx } from './db.js';
import { createAccountsLoaders } from './loaders/index.js';
import { TenantRepository } from './repositories/tenant.repository.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth.service.js';
import type { TokenService } from './services/token.service.js';
import { UserService } from './services/user.service.js';

export type AccountsRuntime = SubgraphRuntime<AccountsDb, AccountsTx>;

function makeScope(scope: RequestScope, runtime: AccountsRuntime) {
  return tenantScope(scope.identity, (caller) => {
    const users = new UserRepository(runtime.db, caller.tenantId);
    return { users, loaders: createAccountsLoaders({ users, tenants: new TenantRepository(runtime.db) }) };
  });
}

export type AccountsContextScope = ReturnType<typeof makeScope>;

/**
 * Per request: the caller's scope, tenant-bound repositories and loaders (made on first use), and
 * services. Sign-in is the one service that runs without a caller.
 */
export function createAccountsContext(scope: RequestScope, runtime: AccountsRuntime, tokens: TokenService, refreshTtlSeconds: number) {
  return {
    ...scope,
    auth: new AuthService(runtime.db, tokens, refreshTtlSeconds),
    users: new UserService(makeScope(scope, runtime)),
  };
}

export type AccountsContext = ReturnType<typeof createAccountsContext>;
