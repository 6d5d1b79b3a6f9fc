import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { graphqlDuration, graphqlRequests } from '../observability/metrics.js';

/** Request count and latency by operation name, for subgraphs and the gateway alike. */
export function metricsPlugin(service: string): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, operationName, errors, response }) {
          const operation = operationName ?? request.operationName ?? 'anonymous';
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          graphqlRequests.inc({ service, operation, outcome: failed ? 'error' : 'ok' });
          graphqlDuration.observe({ service, operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
