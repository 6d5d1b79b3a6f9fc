import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { checkPolicies, type PolicyMap } from '../auth/policies.js';
import type { Identity } from '../auth/identity.js';

/**
 * Defence in depth: the subgraph enforces the @authenticated and @requiresScopes of its own SDL
 * before executing, exactly as the gateway does before planning (refusing the whole operation).
 * It matters when a request reaches the subgraph some other way than through the gateway's check.
 */
export function subgraphPoliciesPlugin(policies: PolicyMap): ApolloServerPlugin<object> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, schema, operation }) {
          if (!operation) return;
          const identity = (contextValue as { identity?: Identity | null }).identity ?? null;
          const verdict = checkPolicies(schema, document, operation, policies, identity);
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
