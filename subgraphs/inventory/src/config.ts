import { loadSubgraphConfig, type Env, type SubgraphConfig } from '#platform/config';
import { defaultPort } from '#contracts';

export type InventoryConfig = SubgraphConfig;

export function loadInventoryConfig(env: Env, options: { standalone?: boolean } = {}): InventoryConfig {
  return loadSubgraphConfig('inventory', env, { ...options, defaultPort: defaultPort('inventory') });
}
