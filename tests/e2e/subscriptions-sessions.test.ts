import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#platform/observability';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { eventually, LiveClient } from '../harness/live-client.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';
import { TestTokens } from '../harness/test-tokens.js';

// Sockets end with their user's right to them: caps per user and per tenant, a signing key leaving
// the JWKS, and the session ending (logout, a reused refresh token) on every replica. The JWKS is
// served here over real HTTP, so a test can retire a key.

const GLOBEX = DEMO_TENANTS.find((t) => t.slug === 'globex')!;

let sg: TestSupergraph;
let current: TestTokens;
let previous: TestTokens;
let jwks: Server;
let served: { keys: JWK[] };
const clients: LiveClient[] = [];

beforeAll(async () => {
  current = await TestTokens.create('current-key');
  previous = await TestTokens.create('previous-key');
  served = { keys: [...(await current.jwks()).keys, ...(await previous.jwks()).keys] };
  jwks = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  sg = await startTestSupergraph({
    ...current.env,
    JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
    SUBSCRIPTION_MAX_SOCKETS_PER_USER: '2',
    SUBSCRIPTION_MAX_SOCKETS_PER_TENANT: '4',
    SUBSCRIPTION_KEY_CHECK_MS: '300',
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await sg?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

async function connect(tokens: TestTokens, tenantId: string, userId = randomUUID()): Promise<LiveClient> {
  const client = await LiveClient.connect(sg.gateway.url, await tokens.sign({ userId, tenantId, role: 'CUSTOMER' }));
  clients.push(client);
  return client;
}

describe('socket caps', () => {
  it('closes a third socket of one user with 4430 and keeps the two it admitted', async () => {
    const user = randomUUID();
    const tenant = randomUUID();
    const first = await connect(current, tenant, user);
    const second = await connect(current, tenant, user);
    const third = await connect(current, tenant, user);
    expect(await third.closed).toEqual({ code: 4430, reason: 'Too many sockets: at most 2 per user' });
    expect(first.closeCode).toBeUndefined();
    expect(second.closeCode).toBeUndefined();

    // a socket that closes frees its place
    await first.dispose();
    await eventually('the freed place', async () => {
      const again = await connect(current, tenant, user);
      return again.closeCode === undefined ? again : undefined;
    });
  });

  it("closes a tenant's socket beyond its cap with 4431, while another tenant still connects", async () => {
    const tenant = randomUUID();
    for (let n = 0; n < 4; n += 1) expect((await connect(current, tenant)).closeCode).toBeUndefined();
    const fifth = await connect(current, tenant);
    expect(await fifth.closed).toEqual({ code: 4431, reason: 'Too many sockets: at most 4 per tenant' });
    const other = await connect(current, GLOBEX.id);
    expect(other.closeCode).toBeUndefined();
  });
});

describe('key rotation', () => {
  it('closes with 4441 the sockets signed with a key that left the JWKS, and keeps the ones signed with the current key', async () => {
    const tenant = randomUUID();
    const old = await connect(previous, tenant);
    const fresh = await connect(current, tenant);
    expect(old.closeCode).toBeUndefined();

    served = await current.jwks();
    expect(await old.closed).toEqual({ code: 4441, reason: 'Signing key retired: refresh the token, then reconnect' });
    // the same reading of the JWKS decided both sockets
    expect(fresh.closeCode).toBeUndefined();
  });
});

describe('ended sessions', () => {
  const SIGN_IN = 'mutation SignIn($tenant: String!, $email: String!, $password: String!) { login(tenant: $tenant, email: $email, password: $password) { token refreshToken } }';
  const REFRESH = 'mutation Refresh($token: String!) { refreshToken(token: $token) { token refreshToken } }';
  let replica: RunningGateway;

  beforeAll(async () => {
    // a second gateway replica on the same bus, with its ended sessions in its own memory
    const { REDIS_URL: _shared, ...env } = process.env;
    const config = loadGatewayConfig({
      ...env,
      NODE_ENV: sg.gatewayConfig.env,
      DATA_DIR: sg.gatewayConfig.dataDir,
      LOG_LEVEL: 'silent',
      PORT: '0',
      JWKS_URL: sg.gatewayConfig.jwksUrl,
      ...Object.fromEntries(Object.entries(sg.subgraphs).map(([name, s]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, s.url])),
    });
    replica = await startGateway(config, createLogger('gateway', config), { events: sg.bus });
  });
  afterAll(async () => {
    await replica?.stop();
  });

  async function signIn(): Promise<{ token: string; refreshToken: string }> {
    const result = await sg.client.request<{ login: { token: string; refreshToken: string } }>(SIGN_IN, { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' });
    expect(result.errors).toBeUndefined();
    return result.data!.login;
  }

  async function socket(url: string, token: string): Promise<LiveClient> {
    const client = await LiveClient.connect(url, token);
    clients.push(client);
    expect(client.closeCode).toBeUndefined();
    return client;
  }

  it("closes a session's sockets with 4440 on every replica when it logs out, and keeps the user's other session", async () => {
    const ending = await signIn();
    const other = await signIn();
    const here = await socket(sg.gateway.url, ending.token);
    const there = await socket(replica.url, ending.token);
    const otherSession = await socket(sg.gateway.url, other.token);

    const logout = await sg.client.request<{ logout: boolean }>('mutation Logout { logout }', {}, { token: ending.token });
    expect(logout.data).toEqual({ logout: true });
    expect(await here.closed).toEqual({ code: 4440, reason: 'Session ended: sign in again' });
    expect(await there.closed).toEqual({ code: 4440, reason: 'Session ended: sign in again' });
    expect(otherSession.closeCode).toBeUndefined();
    // and it cannot come back
    const again = await LiveClient.connect(sg.gateway.url, ending.token);
    clients.push(again);
    expect((await again.closed).code).toBe(4401);
  });

  it("closes a session's sockets with 4440 when its refresh token is used twice", async () => {
    const session = await signIn();
    const live = await socket(sg.gateway.url, session.token);
    const first = await sg.client.request(REFRESH, { token: session.refreshToken });
    expect(first.errors).toBeUndefined();
    const reused = await sg.client.request(REFRESH, { token: session.refreshToken });
    expect(reused.errors?.[0]?.extensions?.code).toBe('REFRESH_TOKEN_REUSED');
    expect(await live.closed).toEqual({ code: 4440, reason: 'Session ended: sign in again' });
  });
});
