import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../kernel/src/config.js';

export type PaymentsConfig = SubgraphConfig;

export function loadPaymentsConfig(env: Env, options: { standalone?: boolean } = {}): PaymentsConfig {
  return loadSubgraphConfig('payments', env, options);
}
