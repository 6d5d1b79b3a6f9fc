import { createRemoteJWKSet, jwtVerify, errors, type JWTVerifyGetKey } from 'jose';
import type { Identity } from '#platform/auth';

const ALGORITHMS = ['ES256'];

export type VerifyResult = { ok: true; identity: Identity; expiresAt: number } | { ok: false; reason: string };

/**
 * Verifies access tokens against the accounts JWKS (fetched and cached by jose, refreshed on an
 * unknown kid, which is how a rotated key is picked up): ES256 only, issuer, audience, expiry and
 * not-before with a small clock tolerance, and the session not ended (logout, refresh-token reuse).
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    jwksUrl: string,
    private readonly options: { issuer: string; audience: string; clockToleranceSeconds: number },
    private readonly isSessionRevoked: (sessionId: string) => Promise<boolean> = async () => false,
  ) {
    this.keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 });
  }

  async verify(token: string): Promise<VerifyResult> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: ALGORITHMS,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const { sub, tid, role, sid, exp } = payload as { sub?: string; tid?: unknown; role?: unknown; sid?: unknown; exp?: number };
      if (!sub || typeof tid !== 'string' || (role !== 'ADMIN' && role !== 'CUSTOMER')) return { ok: false, reason: 'token lacks tenant or role' };
      if (sid !== undefined && typeof sid !== 'string') return { ok: false, reason: 'token has a malformed session' };
      if (sid !== undefined && (await this.isSessionRevoked(sid))) return { ok: false, reason: 'session ended' };
      return { ok: true, identity: { userId: sub, tenantId: tid, role, ...(sid ? { sessionId: sid } : {}) }, expiresAt: exp ?? 0 };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
      if (error instanceof errors.JOSEError) return { ok: false, reason: error.code };
      throw error;
    }
  }
}

/** The token of an `Authorization: Bearer <token>` header value (or graphql-ws connection param). */
export function bearerToken(value: string | string[] | undefined | null): string | null {
  const header = Array.isArray(value) ? value[0] : value;
  const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}
