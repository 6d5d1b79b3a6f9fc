import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  credentialKeysJson,
  GatewayCredentialSigner,
  GatewayCredentialVerifier,
  loadGatewayCredentialSecret,
  loadSubgraphCredentialKeys,
  parseCredentialKeys,
  parseGatewayCredentialSecret,
  subgraphCredentialKey,
  type CredentialKey,
} from '#platform/auth';

const identity = { userId: '2f1d5d1e-8a4c-4c55-9a55-1c2b3d4e5f60', tenantId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d', role: 'ADMIN' as const, sessionId: 'a1b2c3d4-0000-4000-8000-000000000000' };
const otherTenant = '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b';
const body = JSON.stringify({ query: '{ orders(first: 1) { totalCount } }' });

const current = parseGatewayCredentialSecret(randomBytes(32).toString('base64url'), 'current');
const previous = parseGatewayCredentialSecret(randomBytes(32).toString('base64url'), 'previous');
const ordersKey = subgraphCredentialKey(current, 'orders');
/** orders while the gateway's secret rotates: its key under the current secret, and under the previous one. */
const verifier = () => new GatewayCredentialVerifier([ordersKey, subgraphCredentialKey(previous, 'orders')], 'orders');
const signerFor = (key: CredentialKey, audience = 'orders', ttl = 30) => new GatewayCredentialSigner(key, audience, ttl);

let n = 0;
const requestId = () => `req-${String((n += 1)).padStart(8, '0')}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** A credential written with another JWT library and any claims: what someone holding the key could make. */
function handMade(key: CredentialKey, claims: Record<string, unknown>, options: { iat?: number; exp?: number; aud?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ rid: requestId(), bh: sha256(body), ...claims })
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'gateway+jwt' })
    .setIssuer('supergraph-gateway')
    .setAudience(options.aud ?? 'orders')
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 30)
    .setJti(randomBytes(8).toString('hex'))
    .sign(key.key);
}

describe('gateway credentials', () => {
  it('carry the caller, the request id and the body they were made for', () => {
    const id = requestId();
    const credential = signerFor(ordersKey).sign({ body, requestId: id, identity });
    expect(verifier().verify(credential, Buffer.from(body))).toEqual({ ok: true, identity, requestId: id });
  });

  it('carry no caller for anonymous requests', () => {
    const id = requestId();
    const credential = signerFor(ordersKey).sign({ body, requestId: id, identity: null });
    expect(verifier().verify(credential, Buffer.from(body))).toEqual({ ok: true, identity: null, requestId: id });
  });

  it("are accepted under the subgraph's key of the previous secret while it is listed (rotation)", () => {
    const credential = signerFor(subgraphCredentialKey(previous, 'orders')).sign({ body, requestId: requestId(), identity });
    expect(verifier().verify(credential, Buffer.from(body)).ok).toBe(true);
    const afterRotation = new GatewayCredentialVerifier([ordersKey], 'orders');
    expect(afterRotation.verify(signerFor(subgraphCredentialKey(previous, 'orders')).sign({ body, requestId: requestId(), identity }), Buffer.from(body))).toMatchObject({ ok: false });
  });

  it('are refused for another body, or without a body to check them against', () => {
    const signer = signerFor(ordersKey);
    expect(verifier().verify(signer.sign({ body, requestId: requestId(), identity }), Buffer.from(body.replace('1', '100')))).toEqual({ ok: false, reason: 'credential is for another request body' });
    expect(verifier().verify(signer.sign({ body, requestId: requestId(), identity }), undefined)).toMatchObject({ ok: false });
  });

  it('are refused by another subgraph, whether made with its key or aimed at it', () => {
    const forCatalog = signerFor(subgraphCredentialKey(current, 'catalog'), 'catalog').sign({ body, requestId: requestId(), identity });
    expect(verifier().verify(forCatalog, Buffer.from(body))).toMatchObject({ ok: false });
    // a compromised catalog holds its own key: what it makes for orders is still refused
    const lateral = signerFor(subgraphCredentialKey(current, 'catalog'), 'orders').sign({ body, requestId: requestId(), identity });
    expect(verifier().verify(lateral, Buffer.from(body))).toEqual({ ok: false, reason: 'credential MAC does not match' });
    // and orders' key with another audience is refused by the claim
    const misaimed = signerFor(ordersKey, 'catalog').sign({ body, requestId: requestId(), identity });
    expect(verifier().verify(misaimed, Buffer.from(body))).toEqual({ ok: false, reason: 'credential is for another subgraph' });
  });

  it('are refused the second time they are used', () => {
    const check = verifier();
    const once = signerFor(ordersKey).sign({ body, requestId: requestId(), identity });
    expect(check.verify(once, Buffer.from(body)).ok).toBe(true);
    expect(check.verify(once, Buffer.from(body))).toEqual({ ok: false, reason: 'credential was already used' });
  });

  it('are refused under a key the subgraph does not hold, even with a known key id', () => {
    const stranger = signerFor({ kid: 'current', key: randomBytes(32) }).sign({ body, requestId: requestId(), identity });
    expect(verifier().verify(stranger, Buffer.from(body))).toEqual({ ok: false, reason: 'credential MAC does not match' });
    const unknownKid = signerFor({ kid: 'someone-else', key: ordersKey.key }).sign({ body, requestId: requestId(), identity });
    expect(verifier().verify(unknownKid, Buffer.from(body))).toEqual({ ok: false, reason: 'credential is not under a key this subgraph holds' });
  });

  it('are refused when the caller in them was edited', () => {
    const [header, payload, mac] = signerFor(ordersKey).sign({ body, requestId: requestId(), identity }).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const edit of [{ tid: otherTenant }, { role: 'CUSTOMER' }, { sub: otherTenant }, { sid: undefined }]) {
      const edited = `${header}.${Buffer.from(JSON.stringify({ ...claims, ...edit })).toString('base64url')}.${mac}`;
      expect(verifier().verify(edited, Buffer.from(body)), JSON.stringify(edit)).toEqual({ ok: false, reason: 'credential MAC does not match' });
    }
  });

  it('are refused once expired, beyond the clock tolerance of 5 seconds', () => {
    const signer = signerFor(ordersKey, 'orders', 30);
    const made = signer.sign({ body, requestId: requestId(), identity });
    const late = signer.sign({ body, requestId: requestId(), identity });
    vi.useFakeTimers({ now: Date.now() + 33_000, toFake: ['Date'] });
    try {
      expect(verifier().verify(made, Buffer.from(body)).ok).toBe(true);
      vi.setSystemTime(Date.now() + 2_000);
      expect(verifier().verify(late, Buffer.from(body))).toEqual({ ok: false, reason: 'credential expired' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('are refused when they claim to live longer than 5 minutes or were issued in the future, even with the right key', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifier().verify(await handMade(ordersKey, {}, { iat: now, exp: now + 301 }), Buffer.from(body))).toEqual({ ok: false, reason: 'credential lives too long' });
    expect(verifier().verify(await handMade(ordersKey, {}, { iat: now + 60, exp: now + 90 }), Buffer.from(body))).toEqual({ ok: false, reason: 'credential issued in the future' });
    expect(verifier().verify(await handMade(ordersKey, {}, { iat: now, exp: now + 300 }), Buffer.from(body)).ok).toBe(true);
  });

  it('are refused with another algorithm in the header, or without a MAC', async () => {
    const credential = signerFor(ordersKey).sign({ body, requestId: requestId(), identity });
    const [, payload] = credential.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'current', typ: 'gateway+jwt' })).toString('base64url')}.${payload}.`;
    expect(verifier().verify(none, Buffer.from(body))).toMatchObject({ ok: false });
    expect(verifier().verify(credential.slice(0, credential.lastIndexOf('.') + 1), Buffer.from(body))).toMatchObject({ ok: false });
    expect(verifier().verify('not a credential', Buffer.from(body))).toMatchObject({ ok: false });
    const hs512 = await new SignJWT({ rid: 'x', bh: sha256(body) }).setProtectedHeader({ alg: 'HS512', kid: 'current', typ: 'gateway+jwt' }).sign(randomBytes(64));
    expect(verifier().verify(hs512, Buffer.from(body))).toEqual({ ok: false, reason: 'credential is not under a key this subgraph holds' });
  });

  it('are refused with a malformed caller even under the right key', async () => {
    expect(verifier().verify(await handMade(ordersKey, { sub: 'not-a-uuid', tid: identity.tenantId, role: 'ADMIN' }), Buffer.from(body))).toEqual({ ok: false, reason: 'credential carries a malformed identity' });
    expect(verifier().verify(await handMade(ordersKey, { sub: identity.userId, tid: identity.tenantId, role: 'ROOT' }), Buffer.from(body))).toMatchObject({ ok: false });
  });
});

describe('gateway credentials, as tokens', () => {
  it('are standard HS256 JWTs with a unique id, the subgraph as audience and a lifetime of the configured TTL', async () => {
    const signer = signerFor(ordersKey);
    const tokens = [0, 1, 2].map(() => signer.sign({ body, requestId: requestId(), identity }));
    const claims = [];
    for (const token of tokens) {
      // any JWT library verifies them with the subgraph's key
      const { payload, protectedHeader } = await jwtVerify(token, ordersKey.key, { algorithms: ['HS256'], issuer: 'supergraph-gateway', audience: 'orders', typ: 'gateway+jwt' });
      expect(protectedHeader).toEqual({ alg: 'HS256', kid: 'current', typ: 'gateway+jwt' });
      claims.push(payload);
    }
    expect(new Set(claims.map((c) => c.jti)).size).toBe(3);
    expect(claims[0]).toMatchObject({ sub: identity.userId, tid: identity.tenantId, role: 'ADMIN', sid: identity.sessionId, bh: sha256(body) });
    expect(claims[0]!.exp! - claims[0]!.iat!).toBe(30);
    for (const token of tokens) expect(verifier().verify(token, Buffer.from(body)).ok).toBe(true);
  });
});

describe('credential keys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-credential-keys-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are derived per subgraph: the same secret and name give the same key, another name or secret another key', () => {
    expect(subgraphCredentialKey(current, 'orders')).toEqual(ordersKey);
    const all = ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'].map((name) => subgraphCredentialKey(current, name).key.toString('hex'));
    expect(new Set(all).size).toBe(6);
    expect(subgraphCredentialKey(previous, 'orders').key.equals(ordersKey.key)).toBe(false);
    expect(ordersKey.key.length).toBe(32);
  });

  it('survive their env format and refuse a malformed one', () => {
    expect(parseCredentialKeys(credentialKeysJson([ordersKey, subgraphCredentialKey(previous, 'orders')]))).toEqual([ordersKey, subgraphCredentialKey(previous, 'orders')]);
    for (const bad of ['', '{"keys":[]}', '{"keys":[{"kty":"oct","kid":"a","k":"c2hvcnQ"}]}', '{"keys":[{"kty":"EC","kid":"a","k":"x"}]}', credentialKeysJson([ordersKey, ordersKey])]) {
      expect(() => parseCredentialKeys(bad), bad).toThrow();
    }
  });

  it('come from a secret of 32 random bytes or more, whose key id defaults to one derived from it', () => {
    expect(() => parseGatewayCredentialSecret(randomBytes(16).toString('base64url'), undefined)).toThrow();
    expect(() => parseGatewayCredentialSecret('not base64url!'.repeat(4), undefined)).toThrow();
    const value = randomBytes(32).toString('base64url');
    expect(parseGatewayCredentialSecret(value, undefined).kid).toBe(parseGatewayCredentialSecret(value, undefined).kid);
    expect(parseGatewayCredentialSecret(value, undefined).kid).not.toBe(parseGatewayCredentialSecret(randomBytes(32).toString('base64url'), undefined).kid);
  });

  it("in development, derive each subgraph's key from one secret shared in DATA_DIR", () => {
    const secret = loadGatewayCredentialSecret({ secret: undefined, dataDir });
    expect(loadGatewayCredentialSecret({ secret: undefined, dataDir })).toEqual(secret);
    const [key] = loadSubgraphCredentialKeys({ keys: undefined, subgraph: 'orders', dataDir });
    const credential = signerFor(subgraphCredentialKey(secret, 'orders')).sign({ body, requestId: requestId(), identity });
    expect(new GatewayCredentialVerifier([key!], 'orders').verify(credential, Buffer.from(body)).ok).toBe(true);
    expect(loadSubgraphCredentialKeys({ keys: [ordersKey], subgraph: 'orders', dataDir })).toEqual([ordersKey]);
  });
});
