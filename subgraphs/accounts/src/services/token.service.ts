import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { User } from '../generated/prisma/client.js';
import { SIGNING_ALG, type SigningKey } from './signing-keys.js';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Access tokens: `sub` the user, `tid` the tenant, `role`, `sid` the session (so logout and reuse
 * detection can end it); short-lived, verified by the gateway against our JWKS.
 */
export class TokenService {
  constructor(
    private readonly key: SigningKey,
    private readonly options: { issuer: string; audience: string; ttlSeconds: number },
  ) {}

  async issue(user: Pick<User, 'id' | 'tenantId' | 'role'>, sessionId: string): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.options.ttlSeconds;
    const token = await new SignJWT({ tid: user.tenantId, role: user.role, sid: sessionId })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The longest an access token issued now can be used: how long a revoked session must be remembered. */
  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }
}
