// What both parts of bench/gateway set up alike: production keys and a token, and the environment
// of our gateway in production.
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** Keys and a token as production has them: a secret for subgraph credentials, an ES256 access token checked against a JWKS. */
export async function benchKeys() {
  const tokenKey = await generateKeyPair('ES256', { extractable: true });
  const tokenKid = `bench-accounts-${randomUUID().slice(0, 8)}`;
  const jwks = { keys: [{ ...(await exportJWK(tokenKey.publicKey)), kid: tokenKid, alg: 'ES256', use: 'sig' } as JWK] };
  const mint = (claims: { sub: string; tid: string; role: 'CUSTOMER' | 'ADMIN'; sid: string }) =>
    new SignJWT({ tid: claims.tid, role: claims.role, sid: claims.sid })
      .setProtectedHeader({ alg: 'ES256', kid: tokenKid })
      .setSubject(claims.sub)
      .setIssuer('supergraph-commerce')
      .setAudience('supergraph-commerce')
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('2h')
      .setJti(randomUUID())
      .sign(tokenKey.privateKey);
  return {
    gatewayCredentialSecret: randomBytes(32).toString('base64url'),
    gatewayCredentialKeyId: `bench-gateway-${randomUUID().slice(0, 8)}`,
    jwks,
    token: await mint({ sub: randomUUID(), tid: randomUUID(), role: 'CUSTOMER', sid: randomUUID() }),
  };
}

/** Production settings of our gateway, as SECURITY.md describes them, minus trusted documents and rate limits. */
export function ourGatewayEnv(extra: Record<string, string>, keys: BenchKeys): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    GATEWAY_CREDENTIAL_SECRET: keys.gatewayCredentialSecret,
    GATEWAY_CREDENTIAL_KEY_ID: keys.gatewayCredentialKeyId,
    TRUSTED_DOCUMENTS: 'off',
    RATE_LIMIT_USER: 'off',
    RATE_LIMIT_TENANT: 'off',
    RATE_LIMIT_ANONYMOUS: 'off',
    RATE_LIMIT_LOGIN_ADDRESS: 'off',
    RATE_LIMIT_LOGIN_ACCOUNT: 'off',
    NATS_NAMESPACE: 'benchgw',
    REDIS_KEY_PREFIX: 'benchgw:',
    ...extra,
  };
}

export type BenchKeys = Awaited<ReturnType<typeof benchKeys>>;
