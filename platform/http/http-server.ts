import http from 'node:http';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import type { Logger } from '../observability/logger.js';
import { registry, runScrapeProbes } from '../observability/metrics.js';
import { withoutTracing } from '../observability/trace-context.js';

export interface ReadinessCheck {
  name: string;
  /** Throws when the process cannot serve; may return details to show under its name (else "ok"). */
  check(): Promise<unknown>;
}

export interface HttpAppOptions {
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Whether the process is still accepting work; false while shutting down. */
  isAccepting(): boolean;
  /** How long one check may take before it counts as failed (READINESS_CHECK_TIMEOUT_MS). */
  checkTimeoutMs?: number;
}

/** A handler on plain node:http: answers the request and returns true, or leaves it alone and returns false. */
export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readiness(options: HttpAppOptions): Promise<{ status: number; body: unknown }> {
  if (!options.isAccepting()) return { status: 503, body: { status: 'shutting_down', checks: {} } };
  const checks: Record<string, unknown> = {};
  let ready = true;
  await Promise.all(
    options.readiness.map(async ({ name, check }) => {
      try {
        const details = await withTimeout(withoutTracing(check), options.checkTimeoutMs ?? 2_000);
        checks[name] = details ?? 'ok';
      } catch (error) {
        ready = false;
        checks[name] = (error as Error).message;
      }
    }),
  );
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
}

/** /healthz, /readyz and /metrics on plain node:http (the gateway's server has no Express). */
export function operationalRoutes(options: HttpAppOptions): HttpRoute {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = req.url?.split('?', 1)[0];
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      readiness(options).then(
        ({ status, body }) => sendJson(res, status, body),
        (error: Error) => sendJson(res, 503, { status: 'not_ready', checks: { error: error.message } }),
      );
      return true;
    }
    if (path === '/metrics') {
      withoutTracing(runScrapeProbes)
        .then(() => registry.metrics())
        .then(
          (text) => {
            res.writeHead(200, { 'content-type': registry.contentType });
            res.end(text);
          },
          (error: Error) => {
            options.logger.error({ err: error }, 'metrics scrape failed');
            sendJson(res, 500, { errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
          },
        );
      return true;
    }
    return false;
  };
}

/** The HTTP surface every service shares: /healthz, /readyz and /metrics, then the service's routes. */
export function createHttpApp(options: HttpAppOptions): { app: Express; server: http.Server } {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const operational = operationalRoutes(options);
  app.use((req, res, next) => {
    // While draining, every answer closes its connection: clients reconnect, through the load
    // balancer, to a process that is staying, instead of reusing a socket this one is about to close.
    if (!options.isAccepting()) res.setHeader('connection', 'close');
    if (!operational(req, res)) next();
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  return { app, server };
}

/** Malformed JSON and oversized bodies: clear GraphQL-shaped errors instead of HTML pages. */
export function jsonErrorHandler(logger: Logger) {
  return (error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: 'The request body is too large.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      return;
    }
    logger.error({ err: error }, 'unhandled HTTP error');
    res.status(500).json({ errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  };
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}
