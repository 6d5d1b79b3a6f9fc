import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../kernel/src/config.js';

export type ShippingConfig = SubgraphConfig;

export function loadShippingConfig(env: Env, options: { standalone?: boolean } = {}): ShippingConfig {
  return loadSubgraphConfig('shipping', env, options);
}
