import { loadSubgraphConfig, type Env, type SubgraphConfig } from '#platform/config';
import { defaultPort } from '#contracts';

export type CatalogConfig = SubgraphConfig;

export function loadCatalogConfig(env: Env, options: { standalone?: boolean } = {}): CatalogConfig {
  return loadSubgraphConfig('catalog', env, { ...options, defaultPort: defaultPort('catalog') });
}
