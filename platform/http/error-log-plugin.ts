import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isExpectedError } from '../errors/errors.js';
import type { Logger } from '../observability/logger.js';

/**
 * Logs every unexpected error of a request (what clients see only as INTERNAL_SERVER_ERROR) with
 * the request id, the path and the stack, on the request's logger when it has one.
 */
export function errorLogPlugin(fallback: Logger): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          const context = contextValue as { requestId?: string; logger?: Logger };
          for (const error of errors) {
            if (isExpectedError({ message: error.message, extensions: error.extensions }, error)) continue;
            const cause = error.originalError ?? error;
            (context.logger ?? fallback).error({ requestId: context.requestId, operationName, path: error.path, err: cause }, 'unexpected error answered as INTERNAL_SERVER_ERROR');
          }
        },
      };
    },
  };
}
