import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../kernel/src/config.js';

export type OrdersConfig = SubgraphConfig;

export function loadOrdersConfig(env: Env, options: { standalone?: boolean } = {}): OrdersConfig {
  return loadSubgraphConfig('orders', env, options);
}
