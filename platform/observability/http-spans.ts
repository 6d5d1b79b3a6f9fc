import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isTracingEnabled, traceparentOf } from './trace-context.js';

/**
 * One SERVER span per HTTP request, continuing the caller's W3C `traceparent` (the client's at the
 * gateway, the gateway's fetch at a subgraph); everything the request does runs inside it. The
 * response's `traceresponse` header tells the caller which trace it was. Register it after
 * /healthz, /readyz and /metrics, which stay out of traces.
 */
export function httpServerSpans(service: string): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  if (!isTracingEnabled()) return (_req, _res, next) => next();
  const tracer = trace.getTracer(service);
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const span = tracer.startSpan(
      `${req.method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method ?? '',
          'url.path': path,
          'http.route': path,
          'url.scheme': (req.socket as TLSSocket).encrypted ? 'https' : 'http',
          'server.port': req.socket.localPort ?? 0,
          'user_agent.original': req.headers['user-agent'] ?? '',
        },
      },
      parent,
    );
    const traceresponse = traceparentOf(span);
    if (traceresponse) res.setHeader('traceresponse', traceresponse);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const body = (req as { body?: { operationName?: unknown } }).body;
      if (typeof body?.operationName === 'string') span.setAttribute('graphql.operation.name', body.operationName);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
