import type { RequestHandler } from 'express';
import { rateLimitMessage, type RateLimiter } from './rate-limiter.js';
import { operationCount, refuseRequest } from '../http/edge-middleware.js';
import { gatewayContextOf } from '../http/identify-caller.js';

/**
 * Before anything is parsed: a token per operation from the caller's user and tenant buckets (or,
 * without a valid token, from the client address's). Empty: HTTP 429, Retry-After, RATE_LIMITED.
 */
export function rateLimitRequests(limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    try {
      const context = gatewayContextOf(res);
      const refusal = await limiter.chargeRequest(context.identity, context.clientAddress ?? 'unknown', operationCount(req.body));
      if (!refusal) return next();
      res.setHeader('retry-after', String(refusal.retryAfterSeconds));
      refuseRequest(res, 429, 'RATE_LIMITED', rateLimitMessage(refusal), { scope: refusal.scope, retryAfterSeconds: refusal.retryAfterSeconds });
    } catch (error) {
      next(error);
    }
  };
}
