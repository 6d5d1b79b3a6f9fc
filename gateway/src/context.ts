import type { IncomingHttpHeaders } from 'node:http';
import { type Identity, requestIdFrom } from '#platform/auth';
import type { Logger } from '#platform/observability';
import { bearerToken, type TokenVerifier } from './auth/token-verifier.js';

/** Per request at the gateway: who is calling (or why their token was refused) and the request id. */
export interface GatewayContext {
  requestId: string;
  identity: Identity | null;
  /** Set when a token was sent but refused; the authentication plugin reports it. */
  authError: string | null;
  logger: Logger;
  /** The client's address (behind TRUST_PROXY proxies, the forwarded one), for per-address rate limits. */
  clientAddress?: string;
  /**
   * What the request's log line reports beyond the caller: filled in as the request runs. An
   * object made here, because Apollo Server hands plugins and data sources a shallow copy of the context.
   */
  requestLog?: RequestLog;
}

export interface RequestLog {
  operation: { name: string | null; type: string } | null;
  subgraphs: Set<string>;
}

/** `requestId`: the one the edge middleware already chose for this request, when there is one. */
export async function createGatewayContext(headers: IncomingHttpHeaders, verifier: TokenVerifier, logger: Logger, requestId = requestIdFrom(headers)): Promise<GatewayContext> {
  const token = bearerToken(headers.authorization);
  const child = logger.child({ requestId });
  const requestLog: RequestLog = { operation: null, subgraphs: new Set() };
  if (!token) return { requestId, identity: null, authError: headers.authorization ? 'malformed Authorization header' : null, logger: child, requestLog };
  const result = await verifier.verify(token);
  return result.ok
    ? { requestId, identity: result.identity, authError: null, logger: child.child({ userId: result.identity.userId, tenantId: result.identity.tenantId }), requestLog }
    : { requestId, identity: null, authError: result.reason, logger: child, requestLog };
}
