// The one place that knows every subgraph's module: how to read its config and make its definition.
import type { Env, SubgraphConfig } from '#platform/config';
import type { RawSql } from '#platform/events';
import type { ContextData, PrismaLike, SubgraphDefinition } from '#platform/subgraph';
import type { SubgraphName } from '#contracts';
import { loadAccountsConfig } from '../subgraphs/accounts/src/config.js';
import { accountsSubgraph } from '../subgraphs/accounts/src/server.js';
import type { AccountsDb } from '../subgraphs/accounts/src/db.js';
import { loadDemoDataPolicy, refuseDemoAccounts } from './demo-data-policy.js';
import { loadCatalogConfig } from '../subgraphs/catalog/src/config.js';
import { catalogSubgraph } from '../subgraphs/catalog/src/server.js';
import { loadInventoryConfig } from '../subgraphs/inventory/src/config.js';
import { inventorySubgraph } from '../subgraphs/inventory/src/server.js';
import { loadOrdersConfig } from '../subgraphs/orders/src/config.js';
import { ordersSubgraph } from '../subgraphs/orders/src/server.js';
import { loadPaymentsConfig } from '../subgraphs/payments/src/config.js';
import { paymentsSubgraph } from '../subgraphs/payments/src/server.js';
import { loadShippingConfig } from '../subgraphs/shipping/src/config.js';
import { shippingSubgraph } from '../subgraphs/shipping/src/server.js';

export type AnyDefinition = SubgraphDefinition<PrismaLike<RawSql>, RawSql, ContextData, unknown>;

export interface HostedSubgraph {
  name: SubgraphName;
  /** Reads the subgraph's config (`standalone`: plain PORT applies) and makes its definition. */
  prepare(env: Env, options?: { standalone?: boolean }): Promise<{ config: SubgraphConfig; definition: AnyDefinition }>;
}

function hosted<C extends SubgraphConfig>(
  name: SubgraphName,
  load: (env: Env, options: { standalone?: boolean }) => C,
  define: (config: C, env: Env) => unknown,
): HostedSubgraph {
  return {
    name,
    async prepare(env, options = {}) {
      const config = load(env, options);
      return { config, definition: (await define(config, env)) as AnyDefinition };
    },
  };
}

/** The six subgraphs, in the order they start (accounts first: the others need nothing from it, the gateway its JWKS). */
export const SUBGRAPHS: Record<SubgraphName, HostedSubgraph> = {
  // accounts refuses to start in production while the published demo logins work (hosts/demo-data-policy.ts)
  accounts: hosted('accounts', loadAccountsConfig, async (config, env) => {
    const policy = loadDemoDataPolicy(env);
    return { ...(await accountsSubgraph(config)), startupCheck: (runtime: { db: unknown }) => refuseDemoAccounts(policy, runtime.db as AccountsDb) };
  }),
  catalog: hosted('catalog', loadCatalogConfig, () => catalogSubgraph()),
  inventory: hosted('inventory', loadInventoryConfig, () => inventorySubgraph()),
  orders: hosted('orders', loadOrdersConfig, () => ordersSubgraph()),
  payments: hosted('payments', loadPaymentsConfig, paymentsSubgraph),
  shipping: hosted('shipping', loadShippingConfig, () => shippingSubgraph()),
};
