import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/**
 * Notes the operation's name and type on the context, for the request's log line
 * (http/gateway-http.ts), and logs unexpected errors (no code of ours, or INTERNAL_SERVER_ERROR)
 * with the request's logger, so they carry its request id.
 */
export function requestLogPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName, operation }) {
          if (operation && contextValue.requestLog) contextValue.requestLog.operation = { name: operationName ?? null, type: operation.operation };
        },
        async didEncounterErrors({ contextValue, errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (code === undefined || code === 'INTERNAL_SERVER_ERROR') contextValue?.logger?.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}
