import { exportPKCS8, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatewayCredentialSigner, GatewayCredentialVerifier, loadGatewaySigningKey, type GatewaySigningKey } from '#platform/auth';

const identity = { userId: '2f1d5d1e-8a4c-4c55-9a55-1c2b3d4e5f60', tenantId: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d', role: 'ADMIN' as const, sessionId: 'a1b2c3d4-0000-4000-8000-000000000000' };
const body = JSON.stringify({ query: '{ orders(first: 1) { totalCount } }' });

async function key(kid: string): Promise<GatewaySigningKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  return loadGatewaySigningKey({ privateKeyPem: await exportPKCS8(privateKey), keyId: kid, dataDir: '/nonexistent' });
}

let current: GatewaySigningKey;
let previous: GatewaySigningKey;
let verifier: GatewayCredentialVerifier;
beforeAll(async () => {
  [current, previous] = await Promise.all([key('current'), key('previous')]);
  verifier = new GatewayCredentialVerifier([{ ...current.publicJwk, kid: 'current' }, { ...previous.publicJwk, kid: 'previous' }], 'orders');
});

describe('gateway credentials', () => {
  it('carry the caller, the request id and the body they were signed for', async () => {
    const credential = await new GatewayCredentialSigner(current, 30).sign({ audience: 'orders', body, requestId: 'req-00000001', identity });
    expect(await verifier.verify(credential, Buffer.from(body))).toEqual({ ok: true, identity, requestId: 'req-00000001' });
  });

  it('carry no caller for anonymous requests', async () => {
    const credential = await new GatewayCredentialSigner(current, 30).sign({ audience: 'orders', body, requestId: 'req-00000002', identity: null });
    expect(await verifier.verify(credential, Buffer.from(body))).toEqual({ ok: true, identity: null, requestId: 'req-00000002' });
  });

  it('are accepted from the previous key while it is listed (rotation)', async () => {
    const credential = await new GatewayCredentialSigner(previous, 30).sign({ audience: 'orders', body, requestId: 'req-00000003', identity });
    expect((await verifier.verify(credential, Buffer.from(body))).ok).toBe(true);
  });

  it('are refused for another body, another subgraph, a second use, or an unknown key', async () => {
    const signer = new GatewayCredentialSigner(current, 30);
    const other = await signer.sign({ audience: 'orders', body, requestId: 'req-00000004', identity });
    expect(await verifier.verify(other, Buffer.from(body.replace('1', '100')))).toMatchObject({ ok: false });

    const forCatalog = await signer.sign({ audience: 'catalog', body, requestId: 'req-00000005', identity });
    expect(await verifier.verify(forCatalog, Buffer.from(body))).toMatchObject({ ok: false });

    const once = await signer.sign({ audience: 'orders', body, requestId: 'req-00000006', identity });
    expect((await verifier.verify(once, Buffer.from(body))).ok).toBe(true);
    expect(await verifier.verify(once, Buffer.from(body))).toEqual({ ok: false, reason: 'credential was already used' });

    const stranger = await new GatewayCredentialSigner(await key('current'), 30).sign({ audience: 'orders', body, requestId: 'req-00000007', identity });
    expect(await verifier.verify(stranger, Buffer.from(body))).toMatchObject({ ok: false });
  });

  it('are refused without a body to check them against', async () => {
    const credential = await new GatewayCredentialSigner(current, 30).sign({ audience: 'orders', body, requestId: 'req-00000008', identity });
    expect(await verifier.verify(credential, undefined)).toMatchObject({ ok: false });
  });
});

describe('gateway credentials, as tokens', () => {
  it('are standard EdDSA JWTs with a unique id, the subgraph as audience and a lifetime of the configured TTL', async () => {
    const signer = new GatewayCredentialSigner(current, 30);
    const tokens = [0, 1, 2].map((i) => signer.sign({ audience: 'orders', body, requestId: `req-1000000${i}`, identity }));
    const decoded = tokens.map((t) => t.split('.').map((part, i) => (i < 2 ? JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) : part)));
    expect(decoded[0]![0]).toEqual({ alg: 'EdDSA', kid: 'current', typ: 'gateway+jwt' });
    const claims = decoded.map((d) => d[1] as { jti: string; aud: string; iat: number; exp: number; sub: string });
    expect(new Set(claims.map((c) => c.jti)).size).toBe(3);
    expect(claims[0]).toMatchObject({ aud: 'orders', iss: 'supergraph-gateway', sub: identity.userId, tid: identity.tenantId, role: 'ADMIN', sid: identity.sessionId });
    expect(claims[0]!.exp - claims[0]!.iat).toBe(30);
    for (const token of tokens) expect((await verifier.verify(token, Buffer.from(body))).ok).toBe(true);
  });
});
