import type { Logger } from '#platform/observability';
import { isSubgraphName } from '#contracts';
import type { GatewayConfig } from '../../config.js';
import { type CircuitState, SubgraphGuard } from './subgraph-guard.js';

/** The fetch timeout of one subgraph: its own SUBGRAPH_TIMEOUT_MS_<NAME>, else the common one. */
export function timeoutOf(config: GatewayConfig, subgraph: string): number {
  return isSubgraphName(subgraph) ? config.resilience.timeoutMs[subgraph] : config.subgraphTimeoutMs;
}

/** One guard per subgraph for the life of the gateway (the supergraph names them; the same name gets the same guard). */
export class SubgraphGuards {
  private readonly guards = new Map<string, SubgraphGuard>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
  ) {}

  for(subgraph: string): SubgraphGuard {
    let guard = this.guards.get(subgraph);
    if (!guard) {
      const { maxConcurrency, maxQueue, retries, breaker } = this.config.resilience;
      guard = new SubgraphGuard(subgraph, { maxConcurrency, maxQueue, retries, breaker, queueTimeoutMs: timeoutOf(this.config, subgraph) }, this.logger);
      this.guards.set(subgraph, guard);
    }
    return guard;
  }

  /** Each subgraph's circuit, for /readyz. */
  states(): Record<string, CircuitState> {
    return Object.fromEntries([...this.guards].map(([name, guard]) => [name, guard.state]));
  }

  close(): void {
    for (const guard of this.guards.values()) guard.close();
  }
}
