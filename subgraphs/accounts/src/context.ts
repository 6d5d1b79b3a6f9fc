import type { RequestScope, SubgraphRuntime } from '../../kernel/src/subgraph.js';
import type { AccountsDb, AccountsTx } from './db.js';
import { createAccountsLoaders } from './loaders/index.js';
import { TenantRepository } from './repositories/tenant.repository.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth.service.js';
import type { TokenService } from './services/token.service.js';
import { UserService } from './services/user.service.js';

export type AccountsRuntime = SubgraphRuntime<AccountsDb, AccountsTx>;

/** Per request: the caller's scope, repositories bound to the caller's tenant, fresh loaders, services. */
export function createAccountsContext(scope: RequestScope, runtime: AccountsRuntime, tokens: TokenService, refreshTtlSeconds: number) {
  const users = scope.identity ? new UserRepository(runtime.db, scope.identity.tenantId) : null;
  const loaders = createAccountsLoaders({ users, tenants: new TenantRepository(runtime.db) });
  return {
    ...scope,
    loaders,
    auth: new AuthService(runtime.db, tokens, refreshTtlSeconds),
    users: new UserService(scope.identity, users, loaders),
  };
}

export type AccountsContext = ReturnType<typeof createAccountsContext>;
