import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';

export interface GuardedOperation {
  context: GatewayContext;
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  source: string;
  variables: Record<string, unknown>;
}

/** Throws the GraphQLError (UNAUTHENTICATED, FORBIDDEN, ...) that refuses the operation, or resolves. */
export type OperationGuard = (request: GuardedOperation) => Promise<void>;

/**
 * A subscription is refused exactly as an HTTP operation is: by running the gateway's own request
 * plugins through the hooks where they decide (`didResolveSource`, `didResolveOperation`). One set of
 * rules for both transports: a plugin handed to subscriptions too covers them with no code here.
 */
export function guardFromPlugins(plugins: readonly ApolloServerPlugin<GatewayContext>[]): OperationGuard {
  return async ({ context, schema, document, operation, operationName, source, variables }) => {
    const requestContext = {
      contextValue: context,
      schema,
      source,
      queryHash: createHash('sha256').update(source).digest('hex'),
      document,
      operation,
      operationName: operationName ?? null,
      request: { query: source, operationName, variables },
      logger: context.logger,
      metrics: {},
    };
    for (const plugin of plugins) {
      const listener = await plugin.requestDidStart?.(requestContext as never);
      await listener?.didResolveSource?.(requestContext as never);
      await listener?.didResolveOperation?.(requestContext as never);
    }
  };
}
