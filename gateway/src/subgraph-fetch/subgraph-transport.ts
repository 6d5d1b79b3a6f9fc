import type { IncomingHttpHeaders } from 'node:http';
import { errors, Pool } from 'undici';

/** One HTTP request to a subgraph: the body is final (the credential in `headers` covers it). */
export interface SubgraphHttpRequest {
  body: string;
  headers: Record<string, string>;
  /**
   * A query may be sent a second time when the connection died before any answer came back (a
   * kept-alive socket the subgraph had just closed); a mutation never is.
   */
  idempotent: boolean;
}

export interface SubgraphHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Why a request got no answer. `connect`: nobody listens (refused, unresolvable, connect timeout);
 * `reset`: the connection broke before the answer was complete; `timeout`: no complete answer
 * within the transport's timeout; `closed`: the transport itself was closed.
 */
export type SubgraphTransportFailure = 'connect' | 'reset' | 'timeout' | 'closed';

export class SubgraphTransportError extends Error {
  constructor(
    readonly subgraph: string,
    readonly failure: SubgraphTransportFailure,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'SubgraphTransportError';
  }
}

export interface SubgraphTransportOptions {
  /** The longest one request may take, from sending to the last byte of the answer. */
  timeoutMs: number;
  /** Sockets kept open to this subgraph at most. */
  connections?: number;
}

const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function classify(error: unknown): SubgraphTransportFailure {
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (error instanceof errors.ClientDestroyedError || error instanceof errors.ClientClosedError) return 'closed';
  if (CONNECT_CODES.has(code)) return 'connect';
  if (RESET_CODES.has(code)) return 'reset';
  // AggregateError from a dual-stack connect attempt carries the codes on its members
  const inner = (error as { errors?: unknown[] } | null)?.errors;
  if (Array.isArray(inner) && inner.some((e) => CONNECT_CODES.has((e as { code?: string }).code ?? ''))) return 'connect';
  return 'reset';
}

/** Raw header pairs as an object with lower-case names (repeated headers as arrays). */
function headersOf(raw: Buffer[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const seen = headers[name];
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return headers;
}

/**
 * The gateway's HTTP client for one subgraph: a keep-alive pool (undici) and nothing else; no
 * per-request Error objects, streams or timers. Breakers, retries beyond the one stale-socket
 * retry of a query, and concurrency limits sit on top of `send`.
 */
export class SubgraphTransport {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly path: string;
  private readonly timeoutMs: number;

  constructor(
    readonly subgraph: string,
    readonly url: string,
    options: SubgraphTransportOptions,
  ) {
    const target = new URL(url);
    this.origin = target.origin;
    this.path = `${target.pathname}${target.search}`;
    this.timeoutMs = options.timeoutMs;
    this.pool = new Pool(target.origin, {
      connections: options.connections ?? 256,
      pipelining: 1,
      // Sockets idle longer than this are closed by us first; a server's `Keep-Alive: timeout=`
      // hint, when shorter, wins (less a margin), so the usual stale-socket race is rare.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
    });
  }

  /** Sends one request; rejects with a SubgraphTransportError when no complete answer came back. */
  async send(request: SubgraphHttpRequest): Promise<SubgraphHttpResponse> {
    try {
      return await this.once(request);
    } catch (error) {
      if (!(error instanceof SubgraphTransportError)) throw error;
      // The socket broke before an answer: for a query, the subgraph did nothing anyone can see,
      // so it goes once more on a fresh socket. A mutation may have been applied: never again.
      if (error.failure === 'reset' && request.idempotent) return this.once(request);
      throw error;
    }
  }

  /**
   * One exchange through the pool's dispatch interface: the answer's chunks are collected as they
   * come, with no stream, no AbortSignal and no timer of our own (the pool's header and body
   * timeouts bound it).
   */
  private once(request: SubgraphHttpRequest): Promise<SubgraphHttpResponse> {
    return new Promise((resolve, reject) => {
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      this.pool.dispatch(
        { origin: this.origin, path: this.path, method: 'POST', headers: request.headers, body: request.body, idempotent: false },
        {
          onConnect: () => undefined,
          onHeaders: (statusCode: number, rawHeaders: Buffer[]) => {
            status = statusCode;
            headers = headersOf(rawHeaders);
            return true;
          },
          onData: (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            return true;
          },
          onComplete: () => {
            resolve({ status, headers, body: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8') });
          },
          onError: (error: Error) => {
            const failure = classify(error);
            const reason = failure === 'timeout' ? `no answer within ${this.timeoutMs} ms` : failure === 'connect' ? 'could not connect' : failure === 'closed' ? 'the gateway is shutting down' : 'the connection broke before the answer';
            reject(new SubgraphTransportError(this.subgraph, failure, `subgraph ${this.subgraph}: ${reason}`, { cause: error }));
          },
        },
      );
    });
  }

  /** Lets requests under way finish, then closes every socket. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
