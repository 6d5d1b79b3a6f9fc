import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { requestIdFrom } from '#platform/auth';
import type { HttpRoute } from '#platform/http';
import type { Logger } from '#platform/observability';
import type { GatewayContext } from '../context.js';
import { refuseRequest, type EdgeExchange } from './edge-middleware.js';

/** A step of the edge: true when it answered the request (a refusal), so nothing after it runs. */
type Step = (exchange: EdgeExchange) => boolean | Promise<boolean>;

export interface GatewayHttpOptions {
  logger: Logger;
  apollo: ApolloServer<GatewayContext>;
  maxBodyBytes: number;
  /** Answered first, before anything of /graphql: /healthz, /readyz, /metrics, then the browser pages. */
  routes: HttpRoute[];
  /** Headers every /graphql answer carries (security headers). */
  headers: (res: ServerResponse) => void;
  /** CORS; true when it answered a preflight. */
  cors: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** One SERVER span per request when tracing is on. */
  span: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** Before the caller is known (the batch limit). */
  beforeCaller: Step[];
  identify: (exchange: EdgeExchange) => Promise<GatewayContext>;
  /** Once the caller is known, cheapest refusals first (rate limits, then trusted documents and limits). */
  afterCaller: Array<(exchange: EdgeExchange, context: GatewayContext) => boolean | Promise<boolean>>;
  /** False while shutting down: every answer then closes its connection. */
  isAccepting: () => boolean;
}

class BodyTooLarge extends Error {}

/** The request body, at most `limit` bytes (else BodyTooLarge; the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * The gateway's HTTP server on plain node:http (no Express in the request path): the operational
 * routes and browser pages, then /graphql: request id, security headers, CORS, the body (size
 * limit, JSON), the edge steps, then Apollo Server's own HTTP handling. Every /graphql request
 * ends with one log line at info.
 */
export function gatewayHttpHandler(options: GatewayHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, apollo } = options;

  const logRequest = (exchange: EdgeExchange) => {
    const context = exchange.context;
    const operation = context?.requestLog?.operation;
    (context?.logger ?? logger.child({ requestId: exchange.requestId })).info(
      {
        ...(context ? {} : { requestId: exchange.requestId }),
        method: exchange.method,
        operationName: operation?.name ?? null,
        operationType: operation?.type ?? null,
        status: exchange.res.statusCode,
        durationMs: Math.round(Number(process.hrtime.bigint() - exchange.started) / 1e4) / 100,
        subgraphs: context?.requestLog ? [...context.requestLog.subgraphs] : [],
      },
      'request',
    );
  };

  const graphql = async (exchange: EdgeExchange): Promise<void> => {
    const { req, res } = exchange;
    if (exchange.method !== 'GET' && exchange.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      refuseRequest(exchange, 405, 'METHOD_NOT_ALLOWED', 'The GraphQL endpoint answers GET and POST.');
      return;
    }
    if (exchange.method === 'POST') {
      let raw: Buffer;
      try {
        raw = await readBody(req, options.maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        res.setHeader('connection', 'close');
        refuseRequest(exchange, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
        return;
      }
      if (isJson(req.headers['content-type']) && raw.length > 0) {
        try {
          exchange.body = JSON.parse(raw.toString('utf8'));
        } catch {
          refuseRequest(exchange, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
          return;
        }
        // for the request's span, as Express left it
        (req as { body?: unknown }).body = exchange.body;
      }
    }
    for (const step of options.beforeCaller) if (await step(exchange)) return;
    const context = await options.identify(exchange);
    for (const step of options.afterCaller) if (await step(exchange, context)) return;

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: exchange.method, headers, search: exchange.search, body: exchange.body },
      context: async () => context,
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    // While draining, every answer closes its connection: clients reconnect, through the load
    // balancer, to a process that is staying, instead of reusing a socket this one is about to close.
    if (!options.isAccepting()) res.setHeader('connection', 'close');
    for (const route of options.routes) if (route(req, res)) return;
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path !== '/graphql') {
      const body = JSON.stringify({ errors: [{ message: `Nothing at ${path.slice(0, 200)}; the GraphQL endpoint is /graphql.`, extensions: { code: 'NOT_FOUND' } }] });
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const requestId = requestIdFrom(req.headers);
    const exchange: EdgeExchange = { req, res, requestId, started: process.hrtime.bigint(), method: req.method ?? 'GET', search: query === -1 ? '' : url.slice(query), body: undefined };
    res.setHeader('x-request-id', requestId);
    options.headers(res);
    if (options.cors(req, res)) return;
    res.once('finish', () => logRequest(exchange));
    options.span(req, res, () => {
      graphql(exchange).catch((error: unknown) => {
        (exchange.context?.logger ?? logger).error({ err: error, requestId }, 'unhandled HTTP error');
        if (res.headersSent) {
          res.destroy();
          return;
        }
        refuseRequest(exchange, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
      });
    });
  };
}
