import { SignJWT } from 'jose';
import type { User } from '../generated/prisma/client.js';
import { SIGNING_ALG, type SigningKey } from './signing-keys.js';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** Access tokens: `sub` the user, `tid` the tenant, `role`; verified by the gateway against our JWKS. */
export class TokenService {
  constructor(
    private readonly key: SigningKey,
    private readonly options: { issuer: string; audience: string; ttlSeconds: number },
  ) {}

  async issue(user: Pick<User, 'id' | 'tenantId' | 'role'>): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.options.ttlSeconds;
    const token = await new SignJWT({ tid: user.tenantId, role: user.role })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }
}
