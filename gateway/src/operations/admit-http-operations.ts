import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { EdgeConfig } from '../edge-config.js';
import type { StringCache } from '../edge-store/edge-store.js';
import type { OperationLimiter } from './operation-limits.js';
import type { TrustedDocuments } from './trusted-documents.js';
import { refuseRequest, type EdgeExchange } from '../http/edge-middleware.js';

interface IncomingOperation {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

function parsedJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The operations of the request: the body (one, or a batch) of a POST, the query string of a GET. */
function operationsOf(exchange: EdgeExchange): IncomingOperation[] {
  if (exchange.method === 'GET') {
    const query = new URLSearchParams(exchange.search);
    return [{ query: query.get('query') ?? undefined, operationName: query.get('operationName') ?? undefined, variables: parsedJson(query.get('variables')), extensions: parsedJson(query.get('extensions')) }];
  }
  const body = exchange.body;
  if (Array.isArray(body)) return body.filter((op): op is IncomingOperation => typeof op === 'object' && op !== null);
  return typeof body === 'object' && body !== null ? [body as IncomingOperation] : [];
}

function persistedHash(operation: IncomingOperation): string | undefined {
  const hash = (operation.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * Admits each operation of a request before GraphQL sees it: with TRUSTED_DOCUMENTS=enforce only
 * documents of the manifest (else PERSISTED_QUERY_NOT_IN_LIST), a persisted-query hash only with
 * the text it is the hash of (else PERSISTED_QUERY_HASH_MISMATCH), and only within the operation
 * limits and with an operationName that picks one operation (their own codes); HTTP 400 either
 * way. Operations sent by id are checked as the document the id stands for. What is not a GraphQL
 * request at all is left to the server to refuse. Returns true when it refused the request.
 */
export function admitOperations(options: {
  limiter: OperationLimiter;
  trusted: TrustedDocuments;
  mode: EdgeConfig['trustedDocuments']['mode'];
  persistedQueries: StringCache;
  schema: () => GraphQLSchema | undefined;
}): (exchange: EdgeExchange) => Promise<boolean> {
  return async (exchange) => {
    for (const operation of operationsOf(exchange)) {
      const byId = persistedHash(operation);
      const text = typeof operation.query === 'string' ? operation.query : undefined;
      const source = text ?? (byId ? await options.persistedQueries.get(`apq:${byId}`) : undefined);
      if (source === undefined) continue;
      const hash = createHash('sha256').update(source).digest('hex');
      if (text !== undefined && byId !== undefined && byId.toLowerCase() !== hash) {
        refuseRequest(exchange, 400, 'PERSISTED_QUERY_HASH_MISMATCH', 'The persisted-query hash is not the SHA-256 of the query sent with it.');
        return true;
      }
      if (options.mode === 'enforce' && !options.trusted.has(hash)) {
        refuseRequest(exchange, 400, 'PERSISTED_QUERY_NOT_IN_LIST', 'This server runs trusted operations only, and this one is not among them.');
        return true;
      }
      const schema = options.schema();
      if (!schema) continue;
      const variables = typeof operation.variables === 'object' && operation.variables !== null ? (operation.variables as Record<string, unknown>) : {};
      const refusal = options.limiter.check(hash, source, variables, schema) ?? options.limiter.checkOperationName(hash, operation.operationName);
      if (refusal) {
        refuseRequest(exchange, 400, refusal.code, refusal.message);
        return true;
      }
    }
    return false;
  };
}
