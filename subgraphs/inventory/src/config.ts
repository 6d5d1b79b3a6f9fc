import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../kernel/src/config.js';

export type InventoryConfig = SubgraphConfig;

export function loadInventoryConfig(env: Env, options: { standalone?: boolean } = {}): InventoryConfig {
  return loadSubgraphConfig('inventory', env, options);
}
