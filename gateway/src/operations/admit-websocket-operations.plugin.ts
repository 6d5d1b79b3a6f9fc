import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { EdgeConfig } from '../edge-config.js';
import type { OperationLimiter } from './operation-limits.js';
import type { TrustedDocuments } from './trusted-documents.js';

/**
 * The admission of admit-http-operations.ts (trusted documents, operation limits) for operations
 * that do not arrive over HTTP: subscriptions over graphql-ws, whose guard runs the gateway's
 * policy plugins. HTTP requests were admitted before GraphQL saw them and are not checked twice.
 */
export function admitNonHttpOperationsPlugin(options: {
  limiter: OperationLimiter;
  trusted: TrustedDocuments;
  mode: EdgeConfig['trustedDocuments']['mode'];
}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, source, schema }) {
          if (request.http || source === undefined) return;
          const hash = createHash('sha256').update(source).digest('hex');
          if (options.mode === 'enforce' && !options.trusted.has(hash)) {
            throw new GraphQLError('This server runs trusted operations only, and this one is not among them.', { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } });
          }
          const refusal = options.limiter.check(hash, source, request.variables ?? {}, schema);
          if (refusal) throw new GraphQLError(refusal.message, { extensions: { code: refusal.code } });
        },
      };
    },
  };
}
