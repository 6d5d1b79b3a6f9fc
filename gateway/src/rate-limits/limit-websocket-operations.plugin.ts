import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { rateLimited, type RateLimiter } from './rate-limiter.js';

/**
 * Rate limits for operations that do not arrive over HTTP: every subscribe message over graphql-ws
 * takes a token from the caller's user and tenant buckets, like an HTTP request does; an empty
 * bucket refuses that subscription with RATE_LIMITED (the socket stays open).
 */
export function rateLimitNonHttpOperationsPlugin(limiter: RateLimiter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, contextValue }) {
          if (request.http) return;
          const refusal = await limiter.chargeRequest(contextValue.identity, 'graphql-ws', 1);
          if (refusal) throw rateLimited(refusal);
        },
      };
    },
  };
}
