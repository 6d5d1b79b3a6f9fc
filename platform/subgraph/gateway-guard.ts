import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Kind, parse, type DocumentNode } from 'graphql';
import { GATEWAY_CREDENTIAL_HEADER, TOOLING_KEY_HEADER, type GatewayCredentialVerifier } from '../auth/gateway-credential.js';
import { sha256 } from '../auth/gateway-keys.js';
import type { Identity } from '../auth/identity.js';
import type { Logger } from '../observability/logger.js';

/** Who a subgraph request came from, once the guard let it through. */
export interface VerifiedCaller {
  via: 'gateway' | 'tooling';
  identity: Identity | null;
  requestId: string | null;
}

type WithRawBody = IncomingMessage & { rawBody?: Buffer };

/** For express.json's `verify`: keeps the exact bytes, which the credential's body hash covers. */
export function keepRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  (req as WithRawBody).rawBody = buffer;
}

export function verifiedCaller(res: Response): VerifiedCaller {
  const caller = res.locals.caller as VerifiedCaller | undefined;
  if (!caller) throw new Error('the gateway guard did not run before the GraphQL handler');
  return caller;
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Only `{ _service { sdl } }` (and __typename): what composition tooling needs, nothing with data. */
function onlyReadsService(body: unknown): boolean {
  const query = (body as { query?: unknown } | undefined)?.query;
  if (typeof query !== 'string' || query.length > 10_000) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 200 });
  } catch {
    return false;
  }
  return document.definitions.every(
    (d) =>
      d.kind === Kind.OPERATION_DEFINITION &&
      d.operation === 'query' &&
      d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && (s.name.value === '_service' || s.name.value === '__typename')),
  );
}

/**
 * A subgraph answers nobody but the gateway: every /graphql request must carry a credential the
 * gateway MACed with this subgraph's key for this exact body (`_entities` and `_service` included).
 * Composition tooling may instead send the tooling key, which reads `_service` and nothing else.
 * Identity comes from the credential only; identity headers a caller sets are ignored.
 */
export function requireGatewayCredential(options: { verifier: GatewayCredentialVerifier; toolingKey: string | undefined; logger: Logger }) {
  const toolingDigest = options.toolingKey ? sha256(options.toolingKey) : null;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      refuse(res, 405, 'METHOD_NOT_ALLOWED', 'Subgraphs answer POST requests from the gateway only.');
      return;
    }
    const toolingKey = header(req, TOOLING_KEY_HEADER);
    if (toolingKey !== undefined) {
      if (!toolingDigest || !timingSafeEqual(sha256(toolingKey), toolingDigest)) {
        options.logger.warn({ path: req.path }, 'refused a request with a wrong tooling key');
        refuse(res, 401, 'GATEWAY_CREDENTIAL_INVALID', 'This subgraph answers the gateway only.');
        return;
      }
      if (!onlyReadsService(req.body)) {
        refuse(res, 403, 'FORBIDDEN', 'The tooling key reads `_service` only.');
        return;
      }
      res.locals.caller = { via: 'tooling', identity: null, requestId: null } satisfies VerifiedCaller;
      next();
      return;
    }
    const credential = header(req, GATEWAY_CREDENTIAL_HEADER);
    if (!credential) {
      refuse(res, 401, 'GATEWAY_CREDENTIAL_MISSING', 'This subgraph answers the gateway only.');
      return;
    }
    const check = options.verifier.verify(credential, (req as WithRawBody).rawBody);
    if (!check.ok) {
      options.logger.warn({ reason: check.reason }, 'refused a gateway credential');
      refuse(res, 401, 'GATEWAY_CREDENTIAL_INVALID', 'This subgraph answers the gateway only.');
      return;
    }
    res.locals.caller = { via: 'gateway', identity: check.identity, requestId: check.requestId } satisfies VerifiedCaller;
    next();
  };
}
