import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../kernel/src/config.js';

export type CatalogConfig = SubgraphConfig;

export function loadCatalogConfig(env: Env, options: { standalone?: boolean } = {}): CatalogConfig {
  return loadSubgraphConfig('catalog', env, options);
}
