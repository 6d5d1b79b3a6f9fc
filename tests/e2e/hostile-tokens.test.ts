// Hostile callers with tokens: missing, expired, not yet valid, for someone else, edited, unsigned,
// signed with the wrong algorithm or key, stolen refresh tokens, tokens of ended sessions, key
// rotation. Every refusal: its exact code, no data, nothing written.
import { randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { GATEWAY_CREDENTIAL_HEADER } from '#platform/auth';
import { SUBGRAPH_NAMES } from '#contracts';
import type { GraphQLResponse } from '../harness/graphql-client.js';
import { accessToken, accountsSigningKey, base64url, codeOfRaw, expectNoDatabaseChange, expectRefusal, rawPost } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const globex = DEMO_TENANTS.find((t) => t.slug === 'globex')!;
const alice = acme.users.find((u) => u.email === 'alice@acme.test')!;
const acmeProduct = acme.products[3]!;

const ME = 'query Me { me { id email } }';
const ADJUST = 'mutation Adjust($id: ID!) { adjustStock(productId: $id, delta: 50, reason: "hostile") { available } }';
const SIGN_IN = 'mutation SignIn($tenant: String!, $email: String!, $password: String!) { login(tenant: $tenant, email: $email, password: $password) { token refreshToken refreshExpiresAt } }';
const REFRESH = 'mutation Refresh($token: String!) { refreshToken(token: $token) { token expiresAt refreshToken refreshExpiresAt user { id } } }';
const LOGOUT = 'mutation Logout { logout }';

let sg: TestSupergraph;
let signing: Awaited<ReturnType<typeof accountsSigningKey>>;

async function signIn(email: string): Promise<{ token: string; refreshToken: string }> {
  const tenant = email.split('@')[1]!.split('.')[0]!;
  const result = await sg.client.request<any>(SIGN_IN, { tenant, email, password: 'demo-password' });
  expect(result.errors).toBeUndefined();
  return result.data.login;
}

const asAlice = (overrides: Partial<{ sub: string; tid: string; role: string; sid: string }> = {}) => ({ sub: alice.id, tid: acme.id, role: 'CUSTOMER', ...overrides });

describe('access tokens at the gateway', () => {
  beforeAll(async () => {
    sg = await startTestSupergraph();
    signing = await accountsSigningKey(sg);
  });
  afterAll(async () => {
    await sg?.stop();
  });

  const refusedMe = async (token: string | null, headers: Record<string, string> = {}): Promise<GraphQLResponse> => {
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(ME, {}, { token, headers }));
    expectRefusal(result, 'UNAUTHENTICATED', 401);
    return result;
  };

  it('refuses a request without a token', async () => {
    await refusedMe(null);
  });

  it('refuses a Basic Authorization header', async () => {
    await refusedMe(null, { authorization: `Basic ${Buffer.from('alice:demo-password').toString('base64')}` });
  });

  it('refuses an expired token signed with the real key, saying it expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const result = await refusedMe(await accessToken(signing, asAlice(), { iat: now - 3600, exp: now - 60 }));
    expect(result.errors![0]!.message).toMatch(/expired/);
  });

  it('refuses a token that is not valid yet (nbf ten minutes ahead)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedMe(await accessToken(signing, asAlice(), { nbf: now + 600, exp: now + 1200 }));
  });

  it('refuses a token for another audience', async () => {
    await refusedMe(await accessToken(signing, asAlice(), { aud: 'another-api' }));
  });

  it('refuses a token from another issuer', async () => {
    await refusedMe(await accessToken(signing, asAlice(), { iss: 'https://attacker.example' }));
  });

  it("refuses alice's real token edited to name globex as her tenant", async () => {
    const { token } = await signIn('alice@acme.test');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    await refusedMe(`${header}.${base64url({ ...claims, tid: globex.id })}.${signature}`);
  });

  it("refuses alice's real token edited to make her an admin", async () => {
    const { token } = await signIn('alice@acme.test');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${header}.${base64url({ ...claims, role: 'ADMIN' })}.${signature}`;
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(ADJUST, { id: acmeProduct.id }, { token: forged }));
    expectRefusal(result, 'UNAUTHENTICATED', 401);
  });

  it('refuses an unsigned token (alg none) claiming to be an admin', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...asAlice({ role: 'ADMIN' }), iss: 'supergraph-commerce', aud: 'supergraph-commerce', iat: now, exp: now + 600 };
    await refusedMe(`${base64url({ alg: 'none', typ: 'JWT', kid: signing.kid })}.${base64url(claims)}.`);
  });

  it('refuses an HS256 token keyed with the public JWK (algorithm confusion)', async () => {
    const jwks = (await (await fetch(sg.subgraphs.accounts.url.replace(/\/graphql$/, '/.well-known/jwks.json'))).json()) as { keys: object[] };
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const token = await new SignJWT({ tid: acme.id, role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256', kid: signing.kid })
      .setSubject(alice.id)
      .setIssuer('supergraph-commerce')
      .setAudience('supergraph-commerce')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(secret);
    await refusedMe(token);
  });

  it('refuses a token signed by an attacker key under the real kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await refusedMe(await accessToken({ kid: signing.kid, key: privateKey }, asAlice()));
  });

  it('refuses a well-signed token that names no tenant', async () => {
    const token = await new SignJWT({ role: 'CUSTOMER' })
      .setProtectedHeader({ alg: 'ES256', kid: signing.kid })
      .setSubject(alice.id)
      .setIssuer('supergraph-commerce')
      .setAudience('supergraph-commerce')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signing.key);
    await refusedMe(token);
  });

  it('changes no stock when an expired admin token adjusts it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const admin = acme.users.find((u) => u.role === 'ADMIN')!;
    const token = await accessToken(signing, { sub: admin.id, tid: acme.id, role: 'ADMIN' }, { iat: now - 3600, exp: now - 600 });
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(ADJUST, { id: acmeProduct.id }, { token }));
    expectRefusal(result, 'UNAUTHENTICATED', 401);
  });

  it("refuses alice's valid token sent straight to each subgraph: only the gateway's credential counts", async () => {
    const { token } = await signIn('alice@acme.test');
    await expectNoDatabaseChange(sg, async () => {
      for (const name of SUBGRAPH_NAMES) {
        const response = await rawPost(sg.subgraphs[name].url, JSON.stringify({ query: '{ __typename }' }), { authorization: `Bearer ${token}` });
        expect(response.status, name).toBe(401);
        expect(codeOfRaw(response), name).toBe('GATEWAY_CREDENTIAL_MISSING');
      }
    });
  });

  it("refuses alice's token sent straight to a subgraph in the gateway credential header", async () => {
    const { token } = await signIn('alice@acme.test');
    const response = await rawPost(sg.subgraphs.orders.url, JSON.stringify({ query: '{ order(id: "x") { id } }' }), { [GATEWAY_CREDENTIAL_HEADER]: token });
    expect(response.status).toBe(401);
    expect(codeOfRaw(response)).toBe('GATEWAY_CREDENTIAL_INVALID');
    expect(response.body?.data ?? null).toBeNull();
  });
});

describe('refresh tokens and sessions', () => {
  beforeAll(async () => {
    sg = await startTestSupergraph();
  });
  afterAll(async () => {
    await sg?.stop();
  });

  const sessionRows = (sessionId: string) =>
    sg.sql<{ usedAt: Date | null; revokedAt: Date | null }>('accounts', `SELECT "usedAt", "revokedAt" FROM "accounts"."RefreshToken" WHERE "sessionId" = $1::uuid ORDER BY "createdAt"`, sessionId);
  const sessionOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string }).sid;

  it('issues short-lived access tokens with a session and a refresh token of which only a hash is stored', async () => {
    const session = await signIn('alice@acme.test');
    const claims = JSON.parse(Buffer.from(session.token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number; iat: number; nbf: number; sid: string };
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.nbf).toBe(claims.iat);
    const rows = await sg.sql<{ tokenHash: string }>('accounts', `SELECT "tokenHash" FROM "accounts"."RefreshToken" WHERE "sessionId" = $1::uuid`, claims.sid);
    expect(rows).toHaveLength(1);
    expect(session.refreshToken).not.toContain(rows[0]!.tokenHash);
  });

  it('rotates: a refresh gives a working access token and a new refresh token, and spends the old one', async () => {
    const session = await signIn('alice@acme.test');
    const refreshed = await sg.client.request<any>(REFRESH, { token: session.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data.refreshToken.refreshToken).not.toBe(session.refreshToken);
    expect(refreshed.data.refreshToken.user.id).toBe(alice.id);
    expect(sessionOf(refreshed.data.refreshToken.token)).toBe(sessionOf(session.token));
    const me = await sg.client.request<any>(ME, {}, { token: refreshed.data.refreshToken.token });
    expect(me.data.me.id).toBe(alice.id);
    expect((await sessionRows(sessionOf(session.token))).map((r) => [r.usedAt !== null, r.revokedAt !== null])).toEqual([[true, false], [false, false]]);
  });

  it('detects a reused refresh token: REFRESH_TOKEN_REUSED, the whole session ends, its access tokens too', async () => {
    const session = await signIn('alice@acme.test');
    const legit = (await sg.client.request<any>(REFRESH, { token: session.refreshToken })).data.refreshToken;

    const stolen = await sg.client.request<any>(REFRESH, { token: session.refreshToken });
    expectRefusal(stolen, 'REFRESH_TOKEN_REUSED', 401);
    expect((await sessionRows(sessionOf(session.token))).every((r) => r.revokedAt !== null)).toBe(true);

    expectRefusal(await sg.client.request(REFRESH, { token: legit.refreshToken }), 'INVALID_REFRESH_TOKEN', 401);
    expectRefusal(await sg.client.request(ME, {}, { token: legit.token }), 'UNAUTHENTICATED', 401);
    expectRefusal(await sg.client.request(ME, {}, { token: session.token }), 'UNAUTHENTICATED', 401);
  });

  it('leaves other sessions of the same user alone when one session is ended for reuse', async () => {
    const other = await signIn('alice@acme.test');
    const victim = await signIn('alice@acme.test');
    await sg.client.request(REFRESH, { token: victim.refreshToken });
    await sg.client.request(REFRESH, { token: victim.refreshToken });
    const me = await sg.client.request<any>(ME, {}, { token: other.token });
    expect(me.data.me.id).toBe(alice.id);
    expect((await sg.client.request<any>(REFRESH, { token: other.refreshToken })).errors).toBeUndefined();
  });

  it('refuses a refresh token with a guessed secret without ending its session', async () => {
    const session = await signIn('alice@acme.test');
    const [id] = session.refreshToken.split('.');
    const guessed = `${id}.${Buffer.alloc(32, 7).toString('base64url')}`;
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(REFRESH, { token: guessed }));
    expectRefusal(result, 'INVALID_REFRESH_TOKEN', 401);
    expect((await sg.client.request<any>(REFRESH, { token: session.refreshToken })).errors).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-a-refresh-token'],
    ['an unknown id', `${randomUUID()}.${Buffer.alloc(32, 1).toString('base64url')}`],
    ['an access token', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['SQL', "' OR 1=1 --"],
  ])('refuses %s as a refresh token with INVALID_REFRESH_TOKEN and writes nothing', async (_label, token) => {
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(REFRESH, { token }));
    expectRefusal(result, 'INVALID_REFRESH_TOKEN', 401);
  });

  it('logs out: the refresh token and the access token of the session stop working at once', async () => {
    const session = await signIn('alice@acme.test');
    const other = await signIn('alice@acme.test');
    const out = await sg.client.request<any>(LOGOUT, {}, { token: session.token });
    expect(out.errors).toBeUndefined();
    expect(out.data.logout).toBe(true);
    expect((await sessionRows(sessionOf(session.token))).every((r) => r.revokedAt !== null)).toBe(true);

    const me = await sg.client.request(ME, {}, { token: session.token });
    expectRefusal(me, 'UNAUTHENTICATED', 401);
    expect(me.errors![0]!.message).toMatch(/session ended/);
    expectRefusal(await sg.client.request(REFRESH, { token: session.refreshToken }), 'INVALID_REFRESH_TOKEN', 401);
    expect((await sg.client.request<any>(ME, {}, { token: other.token })).data.me.id).toBe(alice.id);
  });

  it('refuses logout without a token', async () => {
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(LOGOUT));
    expectRefusal(result, 'UNAUTHENTICATED', 401);
  });
});

describe('signing key rotation', () => {
  let retired: { kid: string; key: CryptoKey };
  let previous: { kid: string; key: CryptoKey };

  beforeAll(async () => {
    const make = async (kid: string) => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      return { kid, key: privateKey, pem: await exportPKCS8(privateKey), jwk: { ...(await exportJWK(publicKey)), kid } };
    };
    const [current, old, gone] = await Promise.all([make('key-2026-11'), make('key-2026-10'), make('key-2026-09')]);
    previous = old;
    retired = gone;
    sg = await startTestSupergraph({
      JWT_PRIVATE_KEY: current.pem,
      JWT_KEY_ID: current.kid,
      JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify({ keys: [old.jwk] }),
    });
  });
  afterAll(async () => {
    await sg?.stop();
  });

  it('signs new tokens with the current key and serves the current and the previous key', async () => {
    const { token } = await signIn('alice@acme.test');
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')).kid).toBe('key-2026-11');
    const jwks = (await (await fetch(sg.subgraphs.accounts.url.replace(/\/graphql$/, '/.well-known/jwks.json'))).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(['key-2026-11', 'key-2026-10']);
    expect(jwks.keys.some((k) => 'd' in k)).toBe(false);
  });

  it('still accepts a token signed with the previous key until it expires', async () => {
    const result = await sg.client.request<any>(ME, {}, { token: await accessToken(previous, asAlice()) });
    expect(result.errors).toBeUndefined();
    expect(result.data.me.id).toBe(alice.id);
  });

  it('refuses a token signed with a key that is no longer served', async () => {
    const token = await accessToken(retired, asAlice());
    const refused = await expectNoDatabaseChange(sg, () => sg.client.request(ME, {}, { token }));
    expectRefusal(refused, 'UNAUTHENTICATED', 401);
  });
});
