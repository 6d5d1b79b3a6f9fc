import { randomUUID } from 'node:crypto';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { STATUS_CODES } from 'node:http';
import { GraphQLError, Kind, type DocumentNode } from 'graphql';
import client from 'prom-client';
import { GATEWAY_CREDENTIAL_HEADER, type GatewayCredentialSigner, IDENTITY_HEADERS, type Identity } from '#platform/auth';
import { registry, injectTraceContext } from '#platform/observability';
import type { GatewayContext } from '../context.js';
import type { SubgraphHttpResponse, SubgraphTransport } from './subgraph-transport.js';
import { SubgraphFetchFailure } from './resilience/subgraph-failure.js';
import type { SubgraphGuard } from './resilience/subgraph-guard.js';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

const fetchDuration = new client.Histogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: 'Time the gateway waited for one subgraph fetch',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/** Whether the subgraph operation writes: the gateway's fetch nodes carry their document. */
export function isMutation(document: DocumentNode | undefined, query: string): boolean {
  if (document) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) return definition.operation === 'mutation';
    }
  }
  return /^\s*mutation\b/.test(query);
}

/** `Cache-Control` of a subgraph answer as a cache hint, the way stock @apollo/gateway reads it. */
function cacheHintOf(header: string | string[] | undefined): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  if (!header) return hint;
  for (const part of String(header).split(',')) {
    const [name, value] = part.trim().split('=');
    if (name === 'max-age' && value && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

function parseJson(response: SubgraphHttpResponse): unknown {
  const type = response.headers['content-type'];
  const json = typeof type === 'string' && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'));
  return json ? JSON.parse(response.body) : response.body;
}

/** A non-2xx answer as @apollo/gateway reports it (401 → UNAUTHENTICATED, 403 → FORBIDDEN). */
function errorFromResponse(url: string, response: SubgraphHttpResponse): GraphQLError {
  let body: unknown;
  try {
    body = parseJson(response);
  } catch {
    body = response.body;
  }
  const code = response.status === 401 ? 'UNAUTHENTICATED' : response.status === 403 ? 'FORBIDDEN' : undefined;
  return new GraphQLError(`${response.status}: ${STATUS_CODES[response.status] ?? ''}`, {
    extensions: { ...(code ? { code } : {}), response: { url, status: response.status, body } },
  });
}

/**
 * The gateway's data source for one subgraph: the request body is built here, and every fetch
 * carries a credential MACed with that subgraph's key for that exact body and the caller read from
 * the request's context (subgraphs trust nothing else, see platform/auth/gateway-credential.ts). The
 * bytes go through the subgraph's transport (subgraph-transport.ts); fetches are measured;
 * identical queries of one caller in flight at once are sent once (`mergeFetches`).
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  /** Identical queries under way, by caller and body (merging on); null when merging is off. */
  private readonly inFlight: Map<string, Promise<SubgraphHttpResponse>> | null;
  /** The fetch-duration histogram of this subgraph by outcome, bound once (no label lookup per fetch). */
  private readonly durations: Record<'ok' | 'error' | 'failed', client.Histogram.Internal<'subgraph' | 'outcome'>>;

  constructor(
    readonly subgraph: string,
    readonly transport: SubgraphTransport,
    /** Holds this subgraph's credential key and nothing else. */
    private readonly signer: GatewayCredentialSigner,
    /** Circuit breaker, concurrency cap and retries (resilience/); a failure becomes an error naming the subgraph. */
    private readonly guard: SubgraphGuard,
    private readonly exposeFailureDetail = false,
    options: { mergeFetches: boolean } = { mergeFetches: true },
  ) {
    this.inFlight = options.mergeFetches ? new Map() : null;
    this.durations = {
      ok: fetchDuration.labels({ subgraph, outcome: 'ok' }),
      error: fetchDuration.labels({ subgraph, outcome: 'error' }),
      failed: fetchDuration.labels({ subgraph, outcome: 'failed' }),
    };
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const started = performance.now();
    const context = options.context as Partial<GatewayContext> | undefined;
    const operation = isMutation('document' in options ? options.document : undefined, options.request.query ?? '') ? 'mutation' : 'query';
    try {
      const response = await this.guard.run(operation, () => this.fetch(options, operation === 'query'));
      this.durations[response.errors?.length ? 'error' : 'ok'].observe((performance.now() - started) / 1_000);
      return response;
    } catch (error) {
      this.durations.failed.observe((performance.now() - started) / 1_000);
      if (!(error instanceof SubgraphFetchFailure)) throw error;
      // fail-fast refusals are counted on /metrics; logging each would flood the log while a circuit is open
      if (!error.reason) context?.logger?.warn({ subgraph: this.subgraph, operation, failure: error.kind, err: error.underlying }, 'subgraph fetch failed');
      // An answer without data: the gateway leaves this fetch's fields null and passes the error on
      // with the subgraph's name, so the rest of the response still arrives.
      return { errors: [error.toGraphQLError(operation, this.exposeFailureDetail)] };
    }
  }

  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>, idempotent: boolean): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const context = options.context as Partial<GatewayContext> | undefined;
    const identity = context?.identity ?? null;
    context?.requestLog?.subgraphs.add(this.subgraph);
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });
    // Only the HTTP exchange is shared: every caller parses its own copy of the answer.
    const response = await (idempotent && this.inFlight ? this.merged(body, identity, context?.requestId) : this.send(body, identity, context?.requestId, idempotent));
    if (response.status < 200 || response.status > 299) throw errorFromResponse(this.transport.url, response);
    const parsed = parseJson(response);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${String(parsed).slice(0, 200)}`);
    if (options.kind === 'incoming operation') {
      const policy = options.incomingRequestContext.overallCachePolicy as { restrict?: (hint: ReturnType<typeof cacheHintOf>) => void } | undefined;
      policy?.restrict?.(cacheHintOf(response.headers['cache-control']));
    }
    return parsed as GatewayGraphQLResponse;
  }

  /**
   * Identical queries in flight at once (same body, same caller: user, tenant, role and session)
   * share one subgraph request. The key holds the caller, so no one is ever answered with a fetch
   * made as somebody else; mutations never get here.
   */
  private merged(body: string, identity: Identity | null, requestId: string | undefined): Promise<SubgraphHttpResponse> {
    const key = identity ? `${identity.userId}\u0000${identity.tenantId}\u0000${identity.role}\u0000${identity.sessionId ?? ''}\u0000${body}` : `\u0000${body}`;
    const inFlight = this.inFlight!;
    const pending = inFlight.get(key);
    if (pending) return pending;
    const sent = this.send(body, identity, requestId, true);
    inFlight.set(key, sent);
    const forget = () => inFlight.delete(key);
    sent.then(forget, forget);
    return sent;
  }

  private send(body: string, identity: Identity | null, callerRequestId: string | undefined, idempotent: boolean): Promise<SubgraphHttpResponse> {
    const requestId = callerRequestId ?? randomUUID();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [IDENTITY_HEADERS.requestId]: requestId,
      [GATEWAY_CREDENTIAL_HEADER]: this.signer.sign({ body, requestId, identity }),
    };
    // the subgraph's spans continue the gateway's fetch span
    injectTraceContext((name, value) => {
      headers[name] = value;
    });
    return this.transport.send({ body, headers, idempotent });
  }
}
