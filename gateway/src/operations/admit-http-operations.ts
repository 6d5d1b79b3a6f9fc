import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { EdgeConfig } from '../edge-config.js';
import type { StringCache } from '../edge-store/edge-store.js';
import type { OperationLimiter } from './operation-limits.js';
import type { TrustedDocuments } from './trusted-documents.js';
import { refuseRequest } from '../http/edge-middleware.js';

interface IncomingOperation {
  query?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

function parsedJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The operations of the request: the body (one, or a batch) of a POST, the query string of a GET. */
function operationsOf(req: Request): IncomingOperation[] {
  if (req.method === 'GET') {
    const query = req.query as Record<string, unknown>;
    return [{ query: query.query, variables: parsedJson(query.variables), extensions: parsedJson(query.extensions) }];
  }
  const body = req.body as unknown;
  if (Array.isArray(body)) return body.filter((op): op is IncomingOperation => typeof op === 'object' && op !== null);
  return typeof body === 'object' && body !== null ? [body as IncomingOperation] : [];
}

function persistedHash(operation: IncomingOperation): string | undefined {
  const hash = (operation.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * Admits each operation of a request before GraphQL sees it: with TRUSTED_DOCUMENTS=enforce only
 * documents of the manifest (else PERSISTED_QUERY_NOT_IN_LIST), and only within the operation
 * limits (their own codes); HTTP 400 either way. Operations sent by id are checked as the document
 * the id stands for. What is not a GraphQL request at all is left to the server to refuse.
 */
export function admitOperations(options: {
  limiter: OperationLimiter;
  trusted: TrustedDocuments;
  mode: EdgeConfig['trustedDocuments']['mode'];
  persistedQueries: StringCache;
  schema: () => GraphQLSchema | undefined;
}): RequestHandler {
  return async (req, res, next) => {
    try {
      for (const operation of operationsOf(req)) {
        const byId = persistedHash(operation);
        const source = typeof operation.query === 'string' ? operation.query : byId ? await options.persistedQueries.get(`apq:${byId}`) : undefined;
        if (source === undefined) continue;
        const hash = createHash('sha256').update(source).digest('hex');
        if (options.mode === 'enforce' && !options.trusted.has(hash)) {
          refuseRequest(res, 400, 'PERSISTED_QUERY_NOT_IN_LIST', 'This server runs trusted operations only, and this one is not among them.');
          return;
        }
        const schema = options.schema();
        if (!schema) continue;
        const variables = typeof operation.variables === 'object' && operation.variables !== null ? (operation.variables as Record<string, unknown>) : {};
        const refusal = options.limiter.check(hash, source, variables, schema);
        if (refusal) {
          refuseRequest(res, 400, refusal.code, refusal.message);
          return;
        }
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
