// Rate limits at the gateway, kept in memory (one gateway): per user, per tenant, per address for
// callers without a token, and login attempts per account and per address. Exhausted: HTTP 429,
// Retry-After, RATE_LIMITED with the scope; after waiting as told, requests pass again.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../prisma/demo-data.js';
import { accessToken, accountsSigningKey, codeOfRaw, expectNoDatabaseChange, rawPost, type RawResponse } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// Windows long enough that buckets barely refill while a test spends them, short enough to wait out.
const RATE_LIMIT_ENV = {
  // the tests call from distinct (forwarded) addresses; the gateway believes the loopback proxy
  TRUST_PROXY: 'loopback',
  RATE_LIMIT_USER: '5/30s',
  RATE_LIMIT_TENANT: '8/30s',
  RATE_LIMIT_ANONYMOUS: '6/30s',
  RATE_LIMIT_LOGIN_ADDRESS: '4/30s',
  RATE_LIMIT_LOGIN_ACCOUNT: '3/15s',
};

let sg: TestSupergraph;
let signing: Awaited<ReturnType<typeof accountsSigningKey>>;
beforeAll(async () => {
  sg = await startTestSupergraph(RATE_LIMIT_ENV);
  signing = await accountsSigningKey(sg);
});
afterAll(async () => {
  await sg?.stop();
});

let addresses = 0;
/** A client address of its own, so tests do not share address buckets. */
const freshAddress = () => `198.51.100.${(addresses += 1)}`;

/** A valid token of a user of a tenant nobody else in this file uses: fresh user and tenant buckets. */
const freshCaller = () => accessToken(signing, { sub: randomUUID(), tid: randomUUID(), role: 'CUSTOMER' });
const sameTenantCaller = (tid: string) => accessToken(signing, { sub: randomUUID(), tid, role: 'CUSTOMER' });

const PING = JSON.stringify({ query: '{ __typename }' });
const ping = (token: string | null, address = '203.0.113.1', body = PING) =>
  rawPost(sg.gateway.url, body, { 'x-forwarded-for': address, ...(token ? { authorization: `Bearer ${token}` } : {}) });
const login = (email: string, password: string, address: string) =>
  rawPost(
    sg.gateway.url,
    JSON.stringify({ query: 'mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }', variables: { t: email.split('@')[1]!.split('.')[0], e: email, p: password } }),
    { 'x-forwarded-for': address },
  );

function expectLimited(response: RawResponse, scope: string): number {
  expect(response.status).toBe(429);
  expect(codeOfRaw(response)).toBe('RATE_LIMITED');
  expect(response.body?.errors?.[0]?.extensions?.scope).toBe(scope);
  expect(response.body?.data ?? null).toBeNull();
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(response.body?.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);
  return retryAfter;
}

/**
 * Sends until refused (at most `max` times): the bucket holds at least `capacity`, and refills
 * a little while the requests go out, so the refusal comes after `capacity` requests or a few more.
 */
async function untilLimited(send: () => Promise<RawResponse>, capacity: number, max = capacity * 3): Promise<RawResponse> {
  for (let sent = 1; sent <= max; sent += 1) {
    const response = await send();
    if (response.status === 429) {
      expect(sent).toBeGreaterThan(capacity);
      return response;
    }
    expect(response.status).toBe(200);
  }
  throw new Error(`not limited after ${max} requests`);
}

/** Waits as long as the gateway said: the protocol a well-behaved client follows. */
const waitAsTold = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

describe('per user', () => {
  it('refuses the request past the limit with 429 and Retry-After, and serves again after waiting as told', async () => {
    const token = await freshCaller();
    const refused = await expectNoDatabaseChange(sg, () => untilLimited(() => ping(token), 5));
    const retryAfter = expectLimited(refused, 'user');
    await waitAsTold(retryAfter);
    const again = await ping(token);
    expect(again.status).toBe(200);
    expect(again.body?.data).toEqual({ __typename: 'Query' });
  });

  it('counts each operation of a batch', async () => {
    const token = await freshCaller();
    const batch = (n: number) => ping(token, '203.0.113.1', JSON.stringify(Array.from({ length: n }, () => ({ query: '{ __typename }' }))));
    expect((await batch(4)).status).toBe(200);
    expectLimited(await batch(2), 'user');
    expect((await batch(1)).status).toBe(200);
  });

  it("does not spend one user's requests on another's", async () => {
    const spent = await freshCaller();
    expectLimited(await untilLimited(() => ping(spent), 5), 'user');
    expect((await ping(await freshCaller())).status).toBe(200);
  });
});

describe('per tenant', () => {
  it("refuses every user of a tenant once the tenant's requests are spent, and no other tenant's", async () => {
    const tenant = randomUUID();
    const [first, second, third] = await Promise.all([sameTenantCaller(tenant), sameTenantCaller(tenant), sameTenantCaller(tenant)]);
    for (let i = 0; i < 4; i += 1) expect((await ping(first!)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await ping(second!)).status).toBe(200);
    // the third user has requests of their own left: what refuses them is the tenant's bucket
    expectLimited(await untilLimited(() => ping(third!), 0, 4), 'tenant');
    expect((await ping(await freshCaller())).status).toBe(200);
  });
});

describe('callers without a token', () => {
  it('limits each client address, whatever the operation', async () => {
    const address = freshAddress();
    expectLimited(await untilLimited(() => ping(null, address), 6), 'address');
    expect((await ping(null, freshAddress())).status).toBe(200);
  });

  it('counts a request with a refused token against its address', async () => {
    const address = freshAddress();
    let response: RawResponse | undefined;
    for (let sent = 0; sent < 18 && response?.status !== 429; sent += 1) response = await ping('not.a.token', address);
    expectLimited(response!, 'address');
  });
});

describe('login attempts', () => {
  it('stops password guessing on one account, then lets its owner in after waiting as told', async () => {
    let guesses = 0;
    let guess: RawResponse;
    do {
      guess = await login('alice@acme.test', `guess-${(guesses += 1)}`, freshAddress());
      if (guess.status !== 429) expect(codeOfRaw(guess)).toBe('UNAUTHENTICATED');
    } while (guess.status !== 429 && guesses < 9);
    expect(guesses).toBeGreaterThan(3);
    expectLimited(guess, 'login-account');
    // the right password does not get through either until the account's bucket refills
    const refused = await expectNoDatabaseChange(sg, () => login('alice@acme.test', DEMO_PASSWORD, freshAddress()));
    const retryAfter = expectLimited(refused, 'login-account');
    await waitAsTold(retryAfter);
    const again = await login('alice@acme.test', DEMO_PASSWORD, freshAddress());
    expect(again.body?.data?.login?.token).toEqual(expect.any(String));
  });

  it('limits an account that does not exist exactly like one that does, so limits reveal no accounts', async () => {
    const ghost = `ghost-${randomUUID().slice(0, 8)}@acme.test`;
    const attempts: string[] = [];
    let response: RawResponse;
    do {
      response = await login(ghost, DEMO_PASSWORD, freshAddress());
      attempts.push(codeOfRaw(response)!);
    } while (response.status !== 429 && attempts.length < 9);
    expect(attempts.slice(0, 3)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expectLimited(response, 'login-account');
  });

  it('stops one address spraying a password over many accounts', async () => {
    const address = freshAddress();
    const spray = () => login(`user-${randomUUID().slice(0, 8)}@acme.test`, DEMO_PASSWORD, address);
    let response: RawResponse;
    let sent = 0;
    do {
      response = await spray();
      sent += 1;
    } while (response.status !== 429 && sent < 12);
    expect(sent).toBeGreaterThan(4);
    expectLimited(response, 'login-address');
  });

  it('counts every login of an operation that aliases many', async () => {
    const fields = Array.from({ length: 5 }, (_, i) => `a${i}: login(tenant: "acme", email: "spray${i}-${randomUUID().slice(0, 6)}@acme.test", password: "x") { token }`).join(' ');
    const response = await expectNoDatabaseChange(sg, () => rawPost(sg.gateway.url, JSON.stringify({ query: `mutation { ${fields} }` }), { 'x-forwarded-for': freshAddress() }));
    expectLimited(response, 'login-address');
  });
});
