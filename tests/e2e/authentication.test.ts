import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair, importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import type { AccountsConfig } from '../../subgraphs/accounts/src/config.js';
import { loadSigningKey } from '../../subgraphs/accounts/src/services/signing-keys.js';
import { codeOf, type GraphQLResponse } from '../harness/graphql-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

let sg: TestSupergraph;
let signingKey: { kid: string; key: CryptoKey };
beforeAll(async () => {
  sg = await startTestSupergraph();
  // The key the accounts service signs with: unless one is configured, the dev key it generated
  // into DATA_DIR/keys/jwt-signing-key.json ({ kid, pem }) on first start.
  const config = sg.subgraphs.accounts.runtime.config as AccountsConfig;
  if (config.jwt.privateKeyPem) {
    const configured = await loadSigningKey({ ...config.jwt, dataDir: config.dataDir });
    signingKey = { kid: configured.kid, key: configured.privateKey };
  } else {
    const stored = JSON.parse(readFileSync(join(config.dataDir, 'keys', 'jwt-signing-key.json'), 'utf8')) as { kid: string; pem: string };
    signingKey = { kid: stored.kid, key: await importPKCS8(stored.pem, 'ES256') };
  }
});
afterAll(async () => {
  await sg?.stop();
});

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const alice = acme.users.find((u) => u.email === 'alice@acme.test')!;
const ME = 'query Me { me { id email } }';

const login = (tenant: string, email: string, password: string) =>
  sg.client.request<any>(contract.storefront, { tenant, email, password }, { operationName: 'Login' });

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token with alice's claims, signed with the given key (defaults: the service's own key and kid, valid for an hour). */
async function tokenWith(options: { key?: CryptoKey; kid?: string; exp?: number; iat?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tid: acme.id, role: 'CUSTOMER' })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? signingKey.kid, typ: 'JWT' })
    .setSubject(alice.id)
    .setIssuer('supergraph-commerce')
    .setAudience('supergraph-commerce')
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 3600)
    .sign(options.key ?? signingKey.key);
}

function expectRefused(result: GraphQLResponse<any>): void {
  expect(result.status).toBe(401);
  expect(codeOf(result)).toBe('UNAUTHENTICATED');
  expect(result.data ?? null).toBeNull();
}

describe('login', () => {
  it('refuses a wrong password, an unknown email and an unknown tenant alike, with one message', async () => {
    const wrongPassword = await login('acme', 'alice@acme.test', 'not-the-password');
    const unknownEmail = await login('acme', 'nobody@acme.test', 'demo-password');
    const unknownTenant = await login('initech', 'alice@acme.test', 'demo-password');
    const otherTenant = await login('globex', 'alice@acme.test', 'demo-password');
    const results = [wrongPassword, unknownEmail, unknownTenant, otherTenant];
    for (const result of results) {
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
      expect(result.data?.login ?? null).toBeNull();
    }
    const messages = new Set(results.map((r) => r.errors![0]!.message));
    expect(messages.size).toBe(1);
    const [message] = messages;
    expect(message).not.toMatch(/initech|nobody|alice|tenant .* not found|no such/i);
  });

  it('refuses an empty password as bad input', async () => {
    const result = await login('acme', 'alice@acme.test', '');
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('password');
    expect(result.data?.login ?? null).toBeNull();
  });

  it('signs in without a token, with the email in any case and around spaces', async () => {
    const result = await login(' ACME ', ' Alice@Acme.Test ', 'demo-password');
    expect(result.errors).toBeUndefined();
    expect(result.data.login.token).toMatch(/^ey/);
    expect(result.data.login.user).toMatchObject({ id: alice.id, email: 'alice@acme.test' });
  });

  it('issues a token the gateway then accepts', async () => {
    const { data } = await login('acme', 'alice@acme.test', 'demo-password');
    const me = await sg.client.request<any>(ME, {}, { token: data.login.token });
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toEqual({ id: alice.id, email: 'alice@acme.test' });
  });
});

describe('requests without a valid token', () => {
  it('refuses a request without a token with UNAUTHENTICATED and HTTP 401', async () => {
    expectRefused(await sg.client.request(ME));
  });

  it('refuses an operation that pairs a public field with a protected one', async () => {
    expectRefused(await sg.client.request<any>('query { __typename me { id } }'));
    expectRefused(await sg.client.request<any>('query { __schema { queryType { name } } me { id } }'));
  });

  it('refuses a garbage token', async () => {
    expectRefused(await sg.client.request(ME, {}, { token: 'not-a-token' }));
    expectRefused(await sg.client.request(ME, {}, { token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' }));
  });

  it('refuses a malformed Authorization header', async () => {
    expectRefused(await sg.client.request(ME, {}, { headers: { authorization: 'Basic YWxpY2U6ZGVtby1wYXNzd29yZA==' } }));
  });

  it('refuses a token whose signature was changed by one character', async () => {
    const token = await tokenWith();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const i = Math.floor(signature.length / 2);
    const changed = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
    expect(changed).not.toBe(signature);
    expect((await sg.client.request(ME, {}, { token })).errors).toBeUndefined();
    expectRefused(await sg.client.request(ME, {}, { token: `${header}.${payload}.${changed}` }));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: alice.id, tid: acme.id, role: 'ADMIN', iss: 'supergraph-commerce', aud: 'supergraph-commerce', iat: now, exp: now + 3600 };
    expectRefused(await sg.client.request(ME, {}, { token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.` }));
    expectRefused(await sg.client.request(ME, {}, { token: `${base64url({ alg: 'none', typ: 'JWT', kid: signingKey.kid })}.${base64url(claims)}.` }));
  });

  it('refuses an expired token signed with the real key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await tokenWith({ iat: now - 7200, exp: now - 3600 });
    const result = await sg.client.request(ME, {}, { token });
    expectRefused(result);
    expect(result.errors![0]!.message).toMatch(/expired/i);
  });

  it('refuses a token signed by another key under the same kid', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const other = await importPKCS8(await exportPKCS8(privateKey), 'ES256');
    expectRefused(await sg.client.request(ME, {}, { token: await tokenWith({ key: other }) }));
  });

  it('refuses a token signed by another key under an unknown kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expectRefused(await sg.client.request(ME, {}, { token: await tokenWith({ key: privateKey, kid: 'attacker-key' }) }));
  });

  it('refuses a well-signed token for another issuer or audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (iss: string, aud: string) =>
      new SignJWT({ tid: acme.id, role: 'CUSTOMER' })
        .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid })
        .setSubject(alice.id)
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(signingKey.key);
    expectRefused(await sg.client.request(ME, {}, { token: await sign('someone-else', 'supergraph-commerce') }));
    expectRefused(await sg.client.request(ME, {}, { token: await sign('supergraph-commerce', 'someone-else') }));
  });
});

describe('what stays open', () => {
  it('answers introspection without a token outside production', async () => {
    const result = await sg.client.request<any>('{ __schema { queryType { name } } }');
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data.__schema.queryType.name).toBe('Query');
  });
});
