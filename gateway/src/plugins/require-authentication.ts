import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';

/** Root fields anyone may call without a token: signing in, and trading a refresh token (the access token may have expired). */
const PUBLIC_FIELDS = new Set(['Mutation.login', 'Mutation.refreshToken']);

function isPublic(operation: OperationDefinitionNode): boolean {
  const root = operation.operation === 'mutation' ? 'Mutation' : operation.operation === 'query' ? 'Query' : 'Subscription';
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && (s.name.value === '__typename' || PUBLIC_FIELDS.has(`${root}.${s.name.value}`)),
  );
}

/** Every operation but login needs a valid token; refused before planning, with HTTP 401. */
export function requireAuthenticationPlugin(options: { allowAnonymousIntrospection: boolean }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (!operation || contextValue.identity || isPublic(operation)) return;
          if (options.allowAnonymousIntrospection && isIntrospectionOnly(operation)) return;
          throw new GraphQLError(
            contextValue.authError ? `Your token was refused (${contextValue.authError}). Sign in again.` : 'Sign in first: send Authorization: Bearer <token>.',
            { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } },
          );
        },
      };
    },
  };
}

function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return (
    operation.operation === 'query' &&
    operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type' || s.name.value === '__typename'))
  );
}
