import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestIdFrom } from '#platform/auth';

/** One request id from the first byte on, so refusals made before GraphQL can be quoted too. */
export function requestIdMiddleware(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = requestIdFrom(req.headers);
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    next();
  };
}

export function requestIdOf(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

/**
 * Headers for an API that browsers may reach: no sniffing, no framing, no referrer, no caching of
 * personal answers; in production a strict CSP (there is no page to serve) and HSTS.
 */
export function securityHeaders(production: boolean): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cache-control', 'no-store');
    if (production) {
      res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    next();
  };
}

/** CORS for the listed origins only; any other origin gets no CORS headers, so browsers refuse it. */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    credentials: false,
    maxAge: 600,
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
}

/** A JSON array body is a batch: at most `max` operations, else BATCH_LIMIT_EXCEEDED with HTTP 400. */
export function batchLimit(max: number): RequestHandler {
  return (req, res, next) => {
    if (Array.isArray(req.body) && req.body.length > max) {
      refuseRequest(res, 400, 'BATCH_LIMIT_EXCEEDED', `A batch may hold at most ${max} operations; this one holds ${req.body.length}.`);
      return;
    }
    next();
  };
}

/** How many operations the request carries, for rate limits. */
export function operationCount(body: unknown): number {
  return Array.isArray(body) ? Math.max(1, body.length) : 1;
}

/** A refusal made before GraphQL runs, shaped as GraphQL errors are. */
export function refuseRequest(res: Response, status: number, code: string, message: string, extensions: Record<string, unknown> = {}): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions, requestId: requestIdOf(res) } }] });
}
