// Edge state shared by gateway replicas through Redis (REDIS_URL, the machine's Redis): two
// gateways in front of one supergraph spend the same buckets, see the same ended sessions and the
// same registered persisted queries.
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../prisma/demo-data.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { createLogger } from '#platform/observability';
import { accessToken, accountsSigningKey, codeOfRaw, rawPost, type RawResponse } from '../harness/hostile.js';
import { eventually } from '../harness/live-client.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `sc:test:redis-limits:${randomUUID()}:`;

let sg: TestSupergraph;
let second: RunningGateway;
let redis: Redis;
let signing: Awaited<ReturnType<typeof accountsSigningKey>>;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  sg = await startTestSupergraph({
    REDIS_URL,
    REDIS_KEY_PREFIX: PREFIX,
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_USER: '5/30s',
    RATE_LIMIT_LOGIN_ACCOUNT: '3/15s',
  });
  second = await startGateway({ ...sg.gatewayConfig, port: 0 }, createLogger('gateway-b', { logLevel: 'silent' }), { events: sg.bus });
  signing = await accountsSigningKey(sg);
});
afterAll(async () => {
  await second?.stop();
  await sg?.stop();
  if (redis) {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});

let addresses = 0;
const freshAddress = () => `192.0.2.${(addresses += 1)}`;
const replicas = () => [sg.gateway.url, second.url];
const ping = (url: string, token: string) => rawPost(url, JSON.stringify({ query: '{ __typename }' }), { authorization: `Bearer ${token}` });
const login = (url: string, email: string, password: string) =>
  rawPost(url, JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(tenant: "acme", email: $e, password: $p) { token } }', variables: { e: email, p: password } }), {
    'x-forwarded-for': freshAddress(),
  });

function expectLimited(response: RawResponse, scope: string): number {
  expect(response.status).toBe(429);
  expect(codeOfRaw(response)).toBe('RATE_LIMITED');
  expect(response.body?.errors?.[0]?.extensions?.scope).toBe(scope);
  expect(response.body?.data ?? null).toBeNull();
  return Number(response.headers.get('retry-after'));
}

describe('two gateways, one Redis', () => {
  it("spends one user's bucket through both replicas, refuses on both, and serves again after Retry-After", async () => {
    const token = await accessToken(signing, { sub: randomUUID(), tid: randomUUID(), role: 'CUSTOMER' });
    let refused: RawResponse | undefined;
    let sent = 0;
    while (!refused && sent < 15) {
      const response = await ping(replicas()[sent % 2]!, token);
      sent += 1;
      if (response.status === 429) refused = response;
      else expect(response.status).toBe(200);
    }
    expect(sent).toBeGreaterThan(5);
    expect(sent).toBeLessThan(15);
    const retryAfter = expectLimited(refused!, 'user');
    expectLimited(await ping(replicas()[sent % 2]!, token), 'user');
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await ping(replicas()[(sent + 1) % 2]!, token)).status).toBe(200);
  });

  it('counts login attempts on one account across replicas', async () => {
    let guesses = 0;
    let response: RawResponse;
    do {
      response = await login(replicas()[guesses % 2]!, 'alice@acme.test', `guess-${guesses}`);
      guesses += 1;
    } while (response.status !== 429 && guesses < 12);
    expect(guesses).toBeGreaterThan(3);
    expectLimited(response, 'login-account');
    expectLimited(await login(second.url, 'alice@acme.test', DEMO_PASSWORD), 'login-account');
  });

  it('ends a session on every replica when it logs out through one', async () => {
    const signIn = await rawPost(second.url, JSON.stringify({ query: 'mutation { login(tenant: "globex", email: "bob@globex.test", password: "demo-password") { token } }' }), {
      'x-forwarded-for': freshAddress(),
    });
    const token = signIn.body!.data.login.token as string;
    expect((await rawPost(second.url, JSON.stringify({ query: '{ me { id } }' }), { authorization: `Bearer ${token}` })).body?.data?.me?.id).toBeDefined();
    const out = await rawPost(sg.gateway.url, JSON.stringify({ query: 'mutation { logout }' }), { authorization: `Bearer ${token}` });
    expect(out.body?.data).toEqual({ logout: true });
    const after = await rawPost(second.url, JSON.stringify({ query: '{ me { id } }' }), { authorization: `Bearer ${token}` });
    expect(after.status).toBe(401);
    expect(codeOfRaw(after)).toBe('UNAUTHENTICATED');
    expect(after.body?.data ?? null).toBeNull();
  });

  it('finds a persisted query registered through one replica by its id through the other', async () => {
    const token = await accessToken(signing, { sub: randomUUID(), tid: randomUUID(), role: 'CUSTOMER' });
    const query = `{ __typename alias_${randomUUID().replace(/-/g, '')}: __typename }`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const registered = await rawPost(sg.gateway.url, JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } }), { authorization: `Bearer ${token}` });
    expect(registered.body?.errors).toBeUndefined();
    // Apollo stores a registration without waiting for the store: ask until it is there
    const byId = await eventually('the registration to reach Redis', async () => {
      const response = await rawPost(second.url, JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash } } }), { authorization: `Bearer ${token}` });
      return codeOfRaw(response) === 'PERSISTED_QUERY_NOT_FOUND' ? undefined : response;
    });
    expect(byId.body?.errors).toBeUndefined();
    expect(byId.body?.data?.__typename).toBe('Query');
  });

  it('keeps its state under its key prefix, every key with an expiry', async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    expect(keys.some((k) => k.startsWith(`${PREFIX}bucket:user:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${PREFIX}revoked:`))).toBe(true);
    for (const key of keys) expect(await redis.pttl(key), key).toBeGreaterThan(0);
  });
});
