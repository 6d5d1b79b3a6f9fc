import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { checkPolicies, type PolicyMap } from '#platform/auth';
import type { GatewayContext } from '../context.js';

/**
 * Enforces @authenticated and @requiresScopes before the query is planned: an operation that
 * touches a field the caller may not use is refused whole (UNAUTHENTICATED 401 or FORBIDDEN 403),
 * so no subgraph is called. Subgraphs check again (defence in depth).
 */
export function enforceSchemaPoliciesPlugin(getPolicies: () => PolicyMap): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, schema, operation }) {
          if (!operation) return;
          const verdict = checkPolicies(schema, document, operation, getPolicies(), contextValue.identity);
          if (!verdict) return;
          throw new GraphQLError(
            verdict.unauthenticated ? 'Sign in first: send Authorization: Bearer <token>.' : `You are not allowed to use ${verdict.fields.join(', ')}.`,
            { extensions: { code: verdict.unauthenticated ? 'UNAUTHENTICATED' : 'FORBIDDEN', fields: verdict.fields, http: { status: verdict.unauthenticated ? 401 : 403 } } },
          );
        },
      };
    },
  };
}
