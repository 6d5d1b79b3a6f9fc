import { exportJWK, exportPKCS8, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

const KEY_ID = 'subscription-tests';

/**
 * A signing key the test owns: started with its `env`, the accounts subgraph signs logins with it
 * and publishes it in its JWKS, so the gateway accepts the tokens the test signs itself (short-lived
 * ones, or ones for a user with no data).
 */
export class TestTokens {
  private constructor(
    private readonly key: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly env: Record<string, string>,
    readonly keyId: string,
  ) {}

  /** A fresh key; `keyId` names it in token headers and the JWKS (tests with two keys give each its own). */
  static async create(keyId = KEY_ID): Promise<TestTokens> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return new TestTokens(privateKey, publicKey, { JWT_PRIVATE_KEY: await exportPKCS8(privateKey), JWT_KEY_ID: keyId }, keyId);
  }

  /** The JWKS that verifies these tokens, for a test that serves it itself. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [{ ...(await exportJWK(this.publicKey)), kid: this.keyId, alg: 'ES256', use: 'sig' }] };
  }

  /** An access token as accounts issues them, valid for `ttlSeconds`. */
  async sign(claims: { userId: string; tenantId: string; role: 'ADMIN' | 'CUSTOMER' }, ttlSeconds = 600): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ tid: claims.tenantId, role: claims.role })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer('supergraph-commerce')
      .setAudience('supergraph-commerce')
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(this.key);
  }
}
