import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserApps, type BrowserAppsOptions } from '../../gateway/src/http/browser-apps.js';

// The gateway's browser side on a real node:http server, over a folder laid out as Vite builds it.

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the path exactly as given (fetch would normalize `..` away before it left). */
function get(server: Server, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(options: BrowserAppsOptions): Promise<Server> {
  const handle = browserApps(options);
  const server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(418).end('not mine');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

let root: string;
let built: Server;
let notBuilt: Server;
let graphiqlOff: Server;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sc-browser-apps-'));
  const dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(join(dist, 'graphiql.html'), '<!doctype html><title>graphiql</title>');
  writeFileSync(join(dist, 'assets', 'dashboard-AbC123.js'), 'console.log("dashboard")');
  writeFileSync(join(dist, 'assets', 'dashboard-AbC123.css'), 'body{}');
  writeFileSync(join(dist, 'assets', 'codicon-XyZ.ttf'), 'font');
  writeFileSync(join(root, 'secret.txt'), 'outside the build');
  built = await serve({ dir: dist, graphiql: true });
  notBuilt = await serve({ dir: join(root, 'missing'), graphiql: true });
  graphiqlOff = await serve({ dir: dist, graphiql: false });
});

afterAll(async () => {
  for (const server of [built, notBuilt, graphiqlOff]) await new Promise((resolve) => server?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe('the dashboard at /dashboard/', () => {
  it('serves the app with a content security policy that keeps every load on this origin', async () => {
    const reply = await get(built, '/dashboard/');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>dashboard</title>');
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-cache');
    expect(reply.headers['content-security-policy']).toContain("default-src 'self'");
    expect(reply.headers['content-security-policy']).toContain("connect-src 'self'");
  });

  it('answers routes of the app with its index page, so deep links and reloads work', async () => {
    for (const path of ['/dashboard/orders/ord_123', '/dashboard/stock', '/dashboard/stock?x=1']) {
      const reply = await get(built, path);
      expect(reply.status, path).toBe(200);
      expect(reply.body).toContain('<title>dashboard</title>');
    }
  });

  it('redirects /dashboard to /dashboard/ so relative links resolve', async () => {
    const reply = await get(built, '/dashboard?from=readme');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('/dashboard/?from=readme');
  });

  it('serves hashed assets with their content type, cached for good', async () => {
    const js = await get(built, '/dashboard/assets/dashboard-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(built, '/dashboard/assets/dashboard-AbC123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(built, '/dashboard/assets/codicon-XyZ.ttf')).headers['content-type']).toBe('font/ttf');
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await get(built, '/dashboard/assets/dashboard-AbC123.js', {}, 'HEAD');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe(String('console.log("dashboard")'.length));
    expect(reply.body).toBe('');
  });

  it('answers a missing asset with 404, not with the app', async () => {
    expect((await get(built, '/dashboard/assets/dashboard-old.js')).status).toBe(404);
    expect((await get(built, '/dashboard/favicon.ico')).status).toBe(404);
    expect((await get(built, '/dashboard/assets/')).status).toBe(404);
  });

  it('never serves a file outside the build, however the path is spelled', async () => {
    for (const path of ['/dashboard/../secret.txt', '/dashboard/..%2fsecret.txt', '/dashboard/%2e%2e/secret.txt', '/dashboard/assets/..%2f..%2fsecret.txt', '/dashboard/%2e%2e%5csecret.txt', '/dashboard/a%00.js', '/dashboard/%E0%A4%A']) {
      const reply = await get(built, path);
      expect(reply.body, path).not.toContain('outside the build');
      expect([400, 404, 418], path).toContain(reply.status);
    }
  });

  it('does not hand out GraphiQL under /dashboard/, so GRAPHIQL=off leaves no way to it', async () => {
    expect((await get(built, '/dashboard/graphiql.html')).status).toBe(404);
    expect((await get(graphiqlOff, '/dashboard/graphiql.html')).status).toBe(404);
  });

  it('says how to build the dashboard when it was not built, instead of failing', async () => {
    const reply = await get(notBuilt, '/dashboard/');
    expect(reply.status).toBe(503);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain('npm run build:dashboard');
  });

  it('leaves requests that are not reads to the API', async () => {
    expect((await get(built, '/dashboard/', {}, 'POST')).status).toBe(418);
  });
});

describe('GraphiQL at /graphql', () => {
  it('serves GraphiQL to a browser opening the endpoint', async () => {
    const reply = await get(built, '/graphql', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>graphiql</title>');
    expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('leaves API requests to the API: JSON clients, GET queries, and other methods', async () => {
    expect((await get(built, '/graphql', { accept: 'application/graphql-response+json, application/json' })).status).toBe(418);
    expect((await get(built, '/graphql?query=%7B__typename%7D', { accept: 'text/html' })).status).toBe(418);
    expect((await get(built, '/graphql', { accept: 'text/html' }, 'POST')).status).toBe(418);
  });

  it('is not served when turned off', async () => {
    expect((await get(graphiqlOff, '/graphql', { accept: 'text/html' })).status).toBe(418);
  });

  it('says how to build it when it was not built', async () => {
    const reply = await get(notBuilt, '/graphql', { accept: 'text/html' });
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('npm run build:dashboard');
  });
});

describe('the index page at /', () => {
  it('links the dashboard and GraphiQL', async () => {
    const reply = await get(built, '/');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('href="/dashboard/"');
    expect(reply.body).toContain('href="/graphql"');
  });

  it('says what is off or missing instead of linking it', async () => {
    expect((await get(graphiqlOff, '/')).body).toContain('GRAPHIQL=on');
    expect((await get(notBuilt, '/')).body).toContain('npm run build:dashboard');
  });

  it('leaves every other path alone', async () => {
    for (const path of ['/healthz', '/metrics', '/dashboardx', '/graphql/x']) expect((await get(built, path)).status, path).toBe(418);
  });
});
