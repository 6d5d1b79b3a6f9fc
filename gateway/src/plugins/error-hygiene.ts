import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context.js';

/** "Did you mean …?" in validation errors would map the schema for someone without introspection. */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message.replace(/\s*Did you mean .+\?\s*$/, '');
  return message === formatted.message ? formatted : { ...formatted, message };
}

/** Every error names the request id (also in the x-request-id header): what a caller quotes to support. */
export function requestIdInErrorsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single' || !contextValue?.requestId) return;
          for (const error of response.body.singleResult.errors ?? []) {
            (error as { extensions?: Record<string, unknown> }).extensions = { ...error.extensions, requestId: contextValue.requestId };
          }
        },
      };
    },
  };
}
