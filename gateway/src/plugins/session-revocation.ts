import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { EdgeStore } from '../edge-store/edge-store.js';

/** Access tokens live at most JWT_TTL_SECONDS (at most a day): an ended session is remembered that long. */
const REVOKED_FOR_SECONDS = 86_400;
const REFRESH_REFUSALS = new Set(['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED']);

/**
 * Ends sessions at the edge as accounts ends them in its database: after a successful `logout`,
 * and when accounts reports a reused refresh token, the session's access tokens are refused by
 * every replica sharing the edge store (TokenVerifier asks it). Refused refreshes answer HTTP 401.
 */
export function sessionRevocationPlugin(store: EdgeStore): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, contextValue, response }) {
          if (operation?.operation !== 'mutation' || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const sessionId = contextValue.identity?.sessionId;
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD || selection.name.value !== 'logout' || !sessionId) continue;
            if (data?.[selection.alias?.value ?? 'logout'] === true) await store.revokeSession(sessionId, REVOKED_FOR_SECONDS);
          }
          for (const error of errors ?? []) {
            const reused = error.extensions?.code === 'REFRESH_TOKEN_REUSED' ? error.extensions.sessionId : undefined;
            if (typeof reused === 'string') await store.revokeSession(reused, REVOKED_FOR_SECONDS);
          }
          if (!data && errors?.some((e) => REFRESH_REFUSALS.has(String(e.extensions?.code)))) response.http.status = 401;
        },
      };
    },
  };
}
