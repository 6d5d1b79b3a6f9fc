import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

const REFRESH_REFUSALS = new Set(['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED']);

/**
 * A refused refresh answers HTTP 401, like every other refused credential. Ending sessions is not
 * done here: accounts ends them and tells every gateway (gateway/src/sessions), whatever shape the
 * operation that ended them had.
 */
export function sessionRevocationPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!data && errors?.some((e) => REFRESH_REFUSALS.has(String(e.extensions?.code)))) response.http.status = 401;
        },
      };
    },
  };
}
