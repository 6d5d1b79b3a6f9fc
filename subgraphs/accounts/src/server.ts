import { AccountEvents, subgraphFiles } from '#contracts';
import type { SubgraphDefinition } from '#platform/subgraph';
import type { AccountsConfig } from './config.js';
import { accountsData, type AccountsData } from './context.js';
import { createAccountsDb, type AccountsDb, type AccountsTx } from './db.js';
import { resolvers } from './resolvers/index.js';
import { jwksOf, loadSigningKey } from './services/signing-keys.js';
import { TokenService } from './services/token.service.js';
import { createAccountsServices, type AccountsServices } from './services/index.js';

/** The accounts subgraph: tenants, users, sign-in, and the JWKS the gateway verifies tokens with. */
export async function accountsSubgraph(config: AccountsConfig): Promise<SubgraphDefinition<AccountsDb, AccountsTx, AccountsData, AccountsServices>> {
  const key = await loadSigningKey({ ...config.jwt, dataDir: config.dataDir });
  const tokens = new TokenService(key, config.jwt);
  const jwks = jwksOf([key], config.jwt.previousPublicKeys);
  return {
    name: 'accounts',
    ...subgraphFiles('accounts'),
    createDb: createAccountsDb,
    data: accountsData,
    services: () => createAccountsServices(tokens, config.refreshTtlSeconds),
    resolvers,
    // the gateway that answers a logout refuses the session before the client hears back
    answerWithEvents: [AccountEvents.sessionEnded.type],
    routes: (router) => {
      router.get('/.well-known/jwks.json', (_req, res) => {
        res.setHeader('cache-control', 'public, max-age=300');
        res.json(jwks);
      });
    },
  };
}
