import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/** Credentials a caller sent and accounts refused: wrong sign-in, unusable refresh token. */
const REFUSED_CREDENTIALS = new Set(['UNAUTHENTICATED', 'INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED']);

/**
 * A failed `login` or `refreshToken` answers HTTP 401, like every other refused credential (a
 * refused access token is 401 before any subgraph is asked): an answer without data whose every
 * error is a refused credential. Sessions are not ended here: accounts ends them and tells every
 * gateway (gateway/src/sessions), whatever shape the operation that ended them had.
 */
export function refusedCredentialsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!data && errors?.length && errors.every((e) => REFUSED_CREDENTIALS.has(String(e.extensions?.code)))) response.http.status = 401;
        },
      };
    },
  };
}
