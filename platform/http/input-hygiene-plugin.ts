import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { checkOperationInputs } from '../errors/input-hygiene.js';

/**
 * Refuses an operation before it runs when any string it takes fails the one input check
 * (checkOperationInputs): BAD_USER_INPUT with `extensions.field`, nothing executed. The gateway
 * answers it with HTTP 400; a subgraph (behind the gateway, which checked already) as any
 * resolver's refusal, so that the code reaches the client through the gateway unchanged.
 */
export function inputHygienePlugin(options: { httpStatus?: number } = {}): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const refusal = checkOperationInputs(schema, document, operation, request.variables);
          if (!refusal) return;
          throw new GraphQLError(refusal.message, {
            extensions: { ...refusal.extensions, ...(options.httpStatus ? { http: { status: options.httpStatus } } : {}) },
          });
        },
      };
    },
  };
}
