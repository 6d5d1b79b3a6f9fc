import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { graphqlDuration, graphqlRequests } from '../observability/metrics.js';

/** Distinct `operation` label values a process keeps when it has no list of known operations. */
const DISTINCT_OPERATIONS = 200;

/**
 * The `operation` label, bounded: with `known` (the gateway passes the operations of the trusted
 * documents manifest), those names and `anonymous`, anything else `other`; without it, the first
 * DISTINCT_OPERATIONS names seen, then `other`. A client inventing names cannot grow /metrics.
 */
export function operationLabel(known?: ReadonlySet<string>): (name: string) => string {
  if (known) return (name) => (name === 'anonymous' || known.has(name) ? name : 'other');
  const seen = new Set<string>();
  return (name) => {
    if (seen.has(name)) return name;
    if (seen.size >= DISTINCT_OPERATIONS) return 'other';
    seen.add(name);
    return name;
  };
}

/** Request count and latency by operation name, for subgraphs and the gateway alike. */
export function metricsPlugin(service: string, options: { knownOperations?: ReadonlySet<string> } = {}): ApolloServerPlugin<BaseContext> {
  const label = operationLabel(options.knownOperations);
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, operationName, errors, response }) {
          const operation = label(operationName ?? request.operationName ?? 'anonymous');
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          graphqlRequests.inc({ service, operation, outcome: failed ? 'error' : 'ok' });
          graphqlDuration.observe({ service, operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
