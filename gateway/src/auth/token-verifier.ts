import { createRemoteJWKSet, jwtVerify, errors, type JWTVerifyGetKey } from 'jose';
import type { Identity } from '#platform/auth';

const ALGORITHMS = ['ES256'];
const VERIFIED_TOKENS = 10_000;

export type VerifyResult = { ok: true; identity: Identity; expiresAt: number } | { ok: false; reason: string };

/**
 * Verifies access tokens against the accounts JWKS (fetched and cached by jose, refreshed on an
 * unknown kid, which is how a rotated key is picked up): ES256 only, issuer, audience, expiry and
 * not-before with a small clock tolerance, and the session not ended (logout, refresh-token reuse).
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  /**
   * Tokens whose signature and claims checked out, for a minute at most (and never past their
   * expiry): a client sends the same token with every request, and an ES256 verification is the
   * dearest step of the edge. The session is still checked on every request.
   */
  private readonly verified = new Map<string, { identity: Identity; expiresAt: number; until: number }>();

  constructor(
    jwksUrl: string,
    private readonly options: { issuer: string; audience: string; clockToleranceSeconds: number },
    private readonly isSessionRevoked: (sessionId: string) => Promise<boolean> = async () => false,
  ) {
    this.keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000, timeoutDuration: 5_000 });
  }

  async verify(token: string): Promise<VerifyResult> {
    const known = this.verified.get(token);
    if (known) {
      const now = Date.now();
      if (now < known.until && now < (known.expiresAt + this.options.clockToleranceSeconds) * 1000) {
        const sid = known.identity.sessionId;
        if (sid !== undefined && (await this.isSessionRevoked(sid))) return { ok: false, reason: 'session ended' };
        return { ok: true, identity: known.identity, expiresAt: known.expiresAt };
      }
      this.verified.delete(token);
    }
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
      const identity: Identity = Object.freeze({ userId: sub, tenantId: tid, role, ...(sid ? { sessionId: sid } : {}) });
      if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { identity, expiresAt: exp ?? 0, until: Date.now() + 60_000 });
      return { ok: true, identity, expiresAt: exp ?? 0 };
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
