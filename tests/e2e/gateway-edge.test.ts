// The gateway's HTTP edge, over real HTTP on the embedded supergraph: client mistakes answered 4xx
// with their own code, CORS for browser apps in development, GET with a token through CSRF
// prevention, one log line per request.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '#platform/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOfRaw, rawPost } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

let sg: TestSupergraph;
let token: string;
beforeAll(async () => {
  sg = await startTestSupergraph({ NODE_ENV: 'development' });
  token = await sg.client.tokenFor('alice@acme.test');
});
afterAll(async () => {
  await sg?.stop();
});

const post = (body: unknown, headers: Record<string, string> = {}) => rawPost(sg.gateway.url, JSON.stringify(body), { authorization: `Bearer ${token}`, ...headers });

describe('client mistakes', () => {
  it('answers a document of two operations without operationName with 400 OPERATION_NAME_REQUIRED', async () => {
    const response = await post({ query: 'query A { me { id } } query B { me { email } }' });
    expect(response.status).toBe(400);
    expect(codeOfRaw(response)).toBe('OPERATION_NAME_REQUIRED');
  });

  it('answers an operationName the document does not define with 400 OPERATION_NOT_FOUND', async () => {
    const response = await post({ query: 'query A { me { id } }', operationName: 'B' });
    expect(response.status).toBe(400);
    expect(codeOfRaw(response)).toBe('OPERATION_NOT_FOUND');
  });

  it('answers a persisted-query hash that does not match its text with 400 PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const query = '{ me { id } }';
    const wrong = createHash('sha256').update('{ me { email } }').digest('hex');
    const response = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } });
    expect(response.status).toBe(400);
    expect(codeOfRaw(response)).toBe('PERSISTED_QUERY_HASH_MISMATCH');
  });

  it('still runs the named operation of a document of two', async () => {
    const response = await post({ query: 'query A { me { id } } query B { me { email } }', operationName: 'B' });
    expect(response.status).toBe(200);
    expect(response.body?.data?.me?.email).toBe('alice@acme.test');
  });
});

describe('browser apps in development', () => {
  it('answers the CORS preflight of a localhost app on any port', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:43999', 'http://localhost']) {
      const response = await fetch(sg.gateway.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      expect(response.status, origin).toBe(204);
      expect(response.headers.get('access-control-allow-origin'), origin).toBe(origin);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase(), origin).toContain('authorization');
    }
  });

  it('gives other origins no CORS headers', async () => {
    for (const origin of ['https://evil.example.com', 'http://localhost.evil.example.com:5173', 'http://10.0.0.1:5173']) {
      const response = await fetch(sg.gateway.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('lets a GET query with an Authorization header through CSRF prevention', async () => {
    const url = `${sg.gateway.url}?query=${encodeURIComponent('{ me { email } }')}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/graphql-response+json, application/json' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { me: { email: string } } }).data.me.email).toBe('alice@acme.test');
  });

  it('still refuses a simple GET without Authorization or a preflight header as a possible CSRF', async () => {
    const url = `${sg.gateway.url}?query=${encodeURIComponent('{ __typename }')}`;
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
  });
});

describe('operator logs', () => {
  it('writes one JSON line per request at info: request id, operation, caller, status, duration, subgraphs', async () => {
    // The gateway as its own process (its logs are its stdout), in front of this file's subgraphs.
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
    const child = spawn(process.execPath, ['dist/gateway.js'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: sg.gatewayConfig.dataDir,
        JWKS_URL: sg.gatewayConfig.jwksUrl,
        ...Object.fromEntries(Object.values(sg.subgraphs).map((s) => [`SUBGRAPH_URL_${s.name.toUpperCase()}`, s.url])),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Record<string, any>[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, any>));
    try {
      const deadline = Date.now() + 60_000;
      while (!lines.some((l) => l.msg === 'gateway ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const url = lines.find((l) => l.msg === 'gateway ready')!.url.replace('localhost', '127.0.0.1') as string;
      const requestId = 'log-line-probe-0001';
      const answer = await rawPost(url, JSON.stringify({ query: 'query MyOrders { me { email orders(first: 1) { totalCount } } }', operationName: 'MyOrders' }), {
        authorization: `Bearer ${token}`,
        'x-request-id': requestId,
      });
      expect(answer.status).toBe(200);
      await rawPost(url, JSON.stringify({ query: '{ me { id } }' }), { 'x-request-id': 'log-line-probe-0002' });
      while (lines.filter((l) => l.msg === 'request').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

      const mine = lines.filter((l) => l.requestId === requestId);
      const request = mine.filter((l) => l.msg === 'request');
      expect(request).toHaveLength(1);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; tid: string };
      expect(request[0]).toMatchObject({
        level: 30,
        service: 'gateway',
        requestId,
        operationName: 'MyOrders',
        operationType: 'query',
        userId: claims.sub,
        tenantId: claims.tid,
        status: 200,
      });
      expect(request[0]!.durationMs).toBeGreaterThan(0);
      expect([...request[0]!.subgraphs].sort()).toEqual(['accounts', 'orders']);
      const anonymous = lines.find((l) => l.msg === 'request' && l.requestId === 'log-line-probe-0002')!;
      // anonymous, and refused: `me` needs a caller
      expect(anonymous).toMatchObject({ operationName: null, operationType: 'query', status: 401 });
      expect(anonymous).not.toHaveProperty('userId');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
