import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/** Notes the operation's name and type on the context, for the request's log line (http/gateway-http.ts). */
export function requestLogPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName, operation }) {
          if (operation && contextValue.requestLog) contextValue.requestLog.operation = { name: operationName ?? null, type: operation.operation };
        },
      };
    },
  };
}
