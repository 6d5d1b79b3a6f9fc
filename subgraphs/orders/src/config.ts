import { loadSubgraphConfig, type Env, type SubgraphConfig } from '#platform/config';
import { defaultPort } from '#contracts';

export type OrdersConfig = SubgraphConfig;

export function loadOrdersConfig(env: Env, options: { standalone?: boolean } = {}): OrdersConfig {
  return loadSubgraphConfig('orders', env, { ...options, defaultPort: defaultPort('orders') });
}
