import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { Logger } from '#platform/observability';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { createGatewayContext, type GatewayContext } from '../context.js';
import type { EdgeExchange } from './edge-middleware.js';

/**
 * The client's address: the socket's, or with TRUST_PROXY (a comma-separated list of addresses,
 * subnets or `loopback`/`linklocal`/`uniquelocal`) the one the trusted proxies forwarded.
 */
export function clientAddressOf(trustProxy: string | false): (req: IncomingMessage) => string {
  if (!trustProxy) return (req) => req.socket.remoteAddress ?? 'unknown';
  const trust = proxyaddr.compile(trustProxy.split(',').map((s) => s.trim()).filter(Boolean));
  return (req) => proxyaddr(req, trust) ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Verifies the caller's token once, first thing: the rate limits, the operation checks and the
 * GraphQL context all work from this one context. A refused token is not an error here (the
 * authentication plugin reports it for operations that need a caller).
 */
export function identifyCaller(verifier: TokenVerifier, logger: Logger, trustProxy: string | false): (exchange: EdgeExchange) => Promise<GatewayContext> {
  const addressOf = clientAddressOf(trustProxy);
  return async (exchange) => {
    const context = await createGatewayContext(exchange.req.headers, verifier, logger, exchange.requestId);
    context.clientAddress = addressOf(exchange.req);
    exchange.context = context;
    return context;
  };
}
