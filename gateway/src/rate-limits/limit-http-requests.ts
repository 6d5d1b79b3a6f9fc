import { rateLimitMessage, type RateLimiter } from './rate-limiter.js';
import { operationCount, refuseRequest, type EdgeExchange } from '../http/edge-middleware.js';
import type { GatewayContext } from '../context.js';

/**
 * Before anything is parsed: a token per operation from the caller's user and tenant buckets (or,
 * without a valid token, from the client address's). Empty: HTTP 429, Retry-After, RATE_LIMITED.
 * Returns true when it refused the request.
 */
export function rateLimitRequests(limiter: RateLimiter): (exchange: EdgeExchange, context: GatewayContext) => Promise<boolean> {
  return async (exchange, context) => {
    const refusal = await limiter.chargeRequest(context.identity, context.clientAddress ?? 'unknown', operationCount(exchange.body));
    if (!refusal) return false;
    exchange.res.setHeader('retry-after', String(refusal.retryAfterSeconds));
    refuseRequest(exchange, 429, 'RATE_LIMITED', rateLimitMessage(refusal), { scope: refusal.scope, retryAfterSeconds: refusal.retryAfterSeconds });
    return true;
  };
}
