import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context.js';

/**
 * One request at the gateway's /graphql, as the edge steps see it (gateway-http.ts runs them in
 * order on plain node:http): the request id chosen first, the parsed body, the caller once known.
 */
export interface EdgeExchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint;
  method: string;
  /** The query string, `?` included, or ''. */
  search: string;
  /** The parsed JSON body of a POST (undefined for GET, or a body that is not JSON). */
  body: unknown;
  context?: GatewayContext;
}

/**
 * Headers for an API that browsers may reach: no sniffing, no framing, no referrer, no caching of
 * personal answers; in production a strict CSP (there is no page to serve) and HSTS.
 */
export function securityHeaders(production: boolean): (res: ServerResponse) => void {
  const headers: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cache-control', 'no-store'],
  ];
  if (production) {
    headers.push(['content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"]);
    headers.push(['strict-transport-security', 'max-age=31536000; includeSubDomains']);
  }
  return (res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}

/** A browser app on this machine, on any port: what development allows without configuration. */
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/**
 * CORS for the listed origins (CORS_ORIGINS), and in development for any localhost/127.0.0.1
 * origin too; any other origin gets no CORS headers, so browsers refuse it. Tokens travel in the
 * Authorization header, never in cookies: no credentials mode. Returns true when it answered a
 * preflight (OPTIONS), which needs nothing else.
 */
export function corsPolicy(origins: readonly string[], options: { allowLocalhost: boolean }): (req: IncomingMessage, res: ServerResponse) => boolean {
  const listed = new Set(origins);
  const allowed = (origin: string | undefined) => origin !== undefined && (listed.has(origin) || (options.allowLocalhost && LOCAL_ORIGIN.test(origin)));
  return (req, res) => {
    const origin = req.headers.origin;
    const ok = allowed(origin);
    if (ok) {
      res.setHeader('access-control-allow-origin', origin!);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (ok) {
        res.setHeader('access-control-allow-methods', 'GET,POST');
        const asked = req.headers['access-control-request-headers'];
        if (asked) {
          res.setHeader('access-control-allow-headers', asked);
          res.appendHeader('vary', 'Access-Control-Request-Headers');
        }
        res.setHeader('access-control-max-age', '600');
      }
      res.setHeader('content-length', '0');
      res.statusCode = 204;
      res.end();
      return true;
    }
    if (ok) res.setHeader('access-control-expose-headers', 'x-request-id,retry-after');
    return false;
  };
}

/** A JSON array body is a batch: at most `max` operations, else BATCH_LIMIT_EXCEEDED with HTTP 400. */
export function batchLimit(max: number): (exchange: EdgeExchange) => boolean {
  return (exchange) => {
    if (Array.isArray(exchange.body) && exchange.body.length > max) {
      refuseRequest(exchange, 400, 'BATCH_LIMIT_EXCEEDED', `A batch may hold at most ${max} operations; this one holds ${exchange.body.length}.`);
      return true;
    }
    return false;
  };
}

/** How many operations the request carries, for rate limits. */
export function operationCount(body: unknown): number {
  return Array.isArray(body) ? Math.max(1, body.length) : 1;
}

/** A refusal made before GraphQL runs, shaped as GraphQL errors are. */
export function refuseRequest(exchange: Pick<EdgeExchange, 'res' | 'requestId'>, status: number, code: string, message: string, extensions: Record<string, unknown> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions, requestId: exchange.requestId } }] });
  exchange.res.statusCode = status;
  exchange.res.setHeader('content-type', 'application/json; charset=utf-8');
  exchange.res.setHeader('content-length', Buffer.byteLength(body));
  exchange.res.end(body);
}
