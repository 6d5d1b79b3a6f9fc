import { loadSubgraphConfig, type Env, type SubgraphConfig } from '#platform/config';
import { defaultPort } from '#contracts';

export type ShippingConfig = SubgraphConfig;

export function loadShippingConfig(env: Env, options: { standalone?: boolean } = {}): ShippingConfig {
  return loadSubgraphConfig('shipping', env, { ...options, defaultPort: defaultPort('shipping') });
}
