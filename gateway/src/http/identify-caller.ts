import type { RequestHandler, Response } from 'express';
import type { Logger } from '#platform/observability';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { createGatewayContext, type GatewayContext } from '../context.js';
import { requestIdOf } from './edge-middleware.js';

/**
 * Verifies the caller's token once, first thing: the rate limits, the operation checks and the
 * GraphQL context all work from this one context. A refused token is not an error here (the
 * authentication plugin reports it for operations that need a caller).
 */
export function identifyCaller(verifier: TokenVerifier, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    try {
      const context = await createGatewayContext(req.headers, verifier, logger, requestIdOf(res));
      context.clientAddress = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      res.locals.gatewayContext = context;
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function gatewayContextOf(res: Response): GatewayContext {
  const context = res.locals.gatewayContext as GatewayContext | undefined;
  if (!context) throw new Error('identifyCaller did not run before the GraphQL handler');
  return context;
}
