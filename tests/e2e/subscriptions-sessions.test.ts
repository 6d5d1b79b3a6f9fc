import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { eventually, LiveClient } from '../harness/live-client.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';
import { TestTokens } from '../harness/test-tokens.js';

// Sockets end with their user's right to them: caps per user and per tenant, and a signing key
// leaving the JWKS. The JWKS is served here over real HTTP, so a test can retire a key.

const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
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
    const first = await connect(current, ACME.id, user);
    const second = await connect(current, ACME.id, user);
    const third = await connect(current, ACME.id, user);
    expect(await third.closed).toEqual({ code: 4430, reason: 'Too many sockets: at most 2 per user' });
    expect(first.closeCode).toBeUndefined();
    expect(second.closeCode).toBeUndefined();

    // a socket that closes frees its place
    await first.dispose();
    await eventually('the freed place', async () => {
      const again = await connect(current, ACME.id, user);
      return again.closeCode === undefined ? again : undefined;
    });
  });

  it("closes a tenant's socket beyond its cap with 4431, while another tenant still connects", async () => {
    for (let n = 0; n < 4; n += 1) expect((await connect(current, ACME.id)).closeCode).toBeUndefined();
    const fifth = await connect(current, ACME.id);
    expect((await fifth.closed).code).toBe(4431);
    const globex = await connect(current, GLOBEX.id);
    expect(globex.closeCode).toBeUndefined();
  });
});

describe('key rotation', () => {
  it('closes with 4441 the sockets signed with a key that left the JWKS, and keeps the ones signed with the current key', async () => {
    const old = await connect(previous, ACME.id);
    const fresh = await connect(current, ACME.id);
    expect(old.closeCode).toBeUndefined();

    served = await current.jwks();
    expect(await old.closed).toEqual({ code: 4441, reason: 'Signing key retired: refresh the token, then reconnect' });
    // the same reading of the JWKS decided both sockets
    expect(fresh.closeCode).toBeUndefined();
  });
});
