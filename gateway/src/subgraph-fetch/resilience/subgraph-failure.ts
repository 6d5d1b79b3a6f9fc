import type { GraphQLFormattedError } from 'graphql';

/**
 * How a subgraph fetch failed, as far as the client can act on it:
 * - `refused`: nothing reached the subgraph (no connection, circuit open, too many fetches in
 *   flight); a mutation did not happen and may be sent again;
 * - `timeout`: the request was sent and no answer came in time;
 * - `reset`: the connection broke after the request may have been sent.
 * For a query the last two mean the data is missing; for a mutation they mean nobody knows whether
 * it took effect.
 */
export type FailureKind = 'refused' | 'timeout' | 'reset';

/** Why a fetch was refused before it was sent, when the gateway itself refused it. */
export type RefusalReason = 'circuit_open' | 'saturated';

export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
export const SUBGRAPH_TIMEOUT = 'SUBGRAPH_TIMEOUT';
export const OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN';

/** Whether an error code says the subgraph could not be asked or did not answer (rather than answering with an error). */
export function isSubgraphFailureCode(code: unknown): boolean {
  return code === SUBGRAPH_UNAVAILABLE || code === SUBGRAPH_TIMEOUT || code === OUTCOME_UNKNOWN;
}

/** A failed subgraph fetch, classified; what the client sees comes from `toGraphQLError`. */
export class SubgraphFetchFailure extends Error {
  constructor(
    readonly subgraph: string,
    readonly kind: FailureKind,
    readonly reason: RefusalReason | undefined,
    readonly underlying: unknown,
  ) {
    super(`${subgraph}: ${kind}${reason ? ` (${reason})` : ''}: ${(underlying as Error | undefined)?.message ?? "no detail"}`);
    this.name = 'SubgraphFetchFailure';
  }

  /** Whether trying again right away may help a query: the connection failed, the subgraph was not busy with it. */
  get retryable(): boolean {
    return (this.kind === 'refused' && this.reason === undefined) || this.kind === 'reset';
  }

  /** Whether the subgraph itself failed (what the circuit breaker counts), rather than the gateway refusing. */
  get countsAgainstSubgraph(): boolean {
    return this.reason === undefined;
  }

  /**
   * The error the client gets: a stable code, the subgraph's name in extensions (not in the message,
   * which says nothing of the inside), never a URL or socket error
   * (those go to the log). `exposeDetail` (development) adds the underlying error's message.
   */
  toGraphQLError(operation: 'query' | 'mutation', exposeDetail: boolean): GraphQLFormattedError {
    const detail = exposeDetail ? { detail: (this.underlying as Error | undefined)?.message ?? String(this.underlying) } : {};
    const extensions = { subgraph: this.subgraph, ...detail };
    if (operation === 'mutation' && this.kind !== 'refused') {
      return {
        message: `A service this request needs did not answer; whether the change was made is unknown. Send the same request again with the same idempotency key: it returns the first result and never applies the change twice.`,
        extensions: { code: OUTCOME_UNKNOWN, ...extensions },
      };
    }
    if (this.kind === 'timeout') {
      return { message: 'A service this answer needs did not answer in time.', extensions: { code: SUBGRAPH_TIMEOUT, ...extensions } };
    }
    const why = this.reason === 'circuit_open' ? ' (it failed repeatedly just now)' : this.reason === 'saturated' ? ' (too many requests are waiting for it)' : '';
    const retry = operation === 'mutation' ? ' Nothing was changed; try again shortly.' : '';
    return { message: `A service this answer needs is unavailable${why}.${retry}`, extensions: { code: SUBGRAPH_UNAVAILABLE, ...extensions } };
  }
}

const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Statuses a proxy or a stopping server answers without having run the operation. */
const UNAVAILABLE_STATUSES = new Set([502, 503]);

/** What the subgraph transport (subgraph-transport.ts) says went wrong, in the client's terms. */
const TRANSPORT_FAILURES: Record<string, FailureKind> = { connect: 'refused', closed: 'refused', reset: 'reset', timeout: 'timeout' };

/**
 * Classifies what a fetch threw (the subgraph transport's SubgraphTransportError, undici's and
 * node's socket errors, an AbortSignal timeout, the data source's HTTP-status errors), walking
 * `cause` chains; undefined when it is not a transport failure (e.g. the subgraph answered 4xx),
 * which then reaches the client unchanged.
 */
export function classifyFetchError(error: unknown): FailureKind | undefined {
  const failure = (error as { name?: unknown; failure?: unknown } | undefined)?.failure;
  if ((error as { name?: unknown } | undefined)?.name === 'SubgraphTransportError' && typeof failure === 'string' && TRANSPORT_FAILURES[failure]) {
    return TRANSPORT_FAILURES[failure];
  }
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const e = current as { code?: unknown; type?: unknown; name?: unknown; message?: unknown; extensions?: { response?: { status?: number } } };
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && REFUSED_CODES.has(code)) return 'refused';
    if (code && TIMEOUT_CODES.has(code)) return 'timeout';
    if (code && RESET_CODES.has(code)) return 'reset';
    if (e.type === 'request-timeout' || e.type === 'body-timeout') return 'timeout';
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
    if (typeof e.message === 'string' && /socket hang up|other side closed/i.test(e.message)) return 'reset';
    const status = e.extensions?.response?.status;
    if (typeof status === 'number') {
      if (UNAVAILABLE_STATUSES.has(status)) return 'refused';
      if (status === 504) return 'timeout';
      return undefined;
    }
  }
  return undefined;
}
