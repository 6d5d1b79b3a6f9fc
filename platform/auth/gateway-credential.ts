import { hash, KeyObject, randomBytes, sign as signBytes, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, errors, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Identity } from './identity.js';
import { GATEWAY_CREDENTIAL_ALG, sha256, type GatewaySigningKey } from './gateway-keys.js';

/** The header every gateway → subgraph request carries. */
export const GATEWAY_CREDENTIAL_HEADER = 'x-gateway-credential';
/** The header composition tooling sends its key in (it may read `_service` and nothing else). */
export const TOOLING_KEY_HEADER = 'x-subgraph-tooling-key';

const ISSUER = 'supergraph-gateway';
const TYPE = 'gateway+jwt';
/** Clocks of the gateway and the subgraphs may differ this much. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** A credential claiming a longer life than this is refused even when well signed. */
const MAX_LIFETIME_SECONDS = 300;

interface CredentialClaims {
  /** The request id, so one id follows the request into the subgraph's logs. */
  rid: string;
  /** base64url SHA-256 of the exact request body: the credential is good for this body only. */
  bh: string;
  tid?: string;
  role?: string;
  sid?: string;
}

export function bodyHash(body: string | Buffer): string {
  // one-shot: no Hash object per credential (16 per fan-out request)
  return hash('sha256', body, 'base64url');
}

/**
 * What the gateway attaches to a subgraph request: a short-lived EdDSA JWT for exactly one
 * subgraph (aud), one request body (bh) and one caller (sub/tid/role, absent for anonymous calls).
 *
 * Signed with Node's crypto and a KeyObject made once (about a third of jose's WebCrypto path per
 * signature, and synchronous); the token is the same standard JWT subgraphs verify with jose.
 */
export class GatewayCredentialSigner {
  private readonly keyObject: KeyObject;
  private readonly encodedHeader: string;
  /** jti = this prefix (random per process) + a counter: unique without a random draw per credential. */
  private readonly jtiPrefix = randomBytes(9).toString('base64url');
  private counter = 0;

  constructor(
    key: GatewaySigningKey,
    private readonly ttlSeconds: number,
  ) {
    this.keyObject = KeyObject.from(key.privateKey);
    this.encodedHeader = Buffer.from(JSON.stringify({ alg: GATEWAY_CREDENTIAL_ALG, kid: key.kid, typ: TYPE })).toString('base64url');
  }

  sign(request: { audience: string; body: string | Buffer; requestId: string; identity: Identity | null }): string {
    const { identity } = request;
    const now = Math.floor(Date.now() / 1000);
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    const claims: CredentialClaims & { iss: string; aud: string; iat: number; exp: number; jti: string; sub?: string } = {
      rid: request.requestId,
      bh: bodyHash(request.body),
      ...(identity ? { tid: identity.tenantId, role: identity.role, ...(identity.sessionId ? { sid: identity.sessionId } : {}), sub: identity.userId } : {}),
      iss: ISSUER,
      aud: request.audience,
      iat: now,
      exp: now + this.ttlSeconds,
      jti: `${this.jtiPrefix}${this.counter.toString(36)}`,
    };
    const signingInput = `${this.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signingInput}.${signBytes(null, Buffer.from(signingInput), this.keyObject).toString('base64url')}`;
  }
}

export type CredentialCheck = { ok: true; identity: Identity | null; requestId: string } | { ok: false; reason: string };

/**
 * Ids of credentials already used, until they expire: a credential captured on the wire cannot be
 * sent again to this process. Bounded, oldest dropped first.
 */
class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly capacity = 100_000) {}

  /** False when the id was seen before. */
  remember(jti: string, expiresAt: number, now: number): boolean {
    if (this.seen.has(jti)) return false;
    // Insertion order is close to expiry order: drop expired ids from the front, and the oldest when full.
    for (const [id, exp] of this.seen) {
      if (exp < now || this.seen.size >= this.capacity) this.seen.delete(id);
      else break;
    }
    this.seen.set(jti, expiresAt);
    return true;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks gateway credentials on one subgraph: signature, audience, lifetime, body binding, replay. */
export class GatewayCredentialVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly replays = new ReplayGuard();

  constructor(
    publicKeys: JWK[],
    private readonly audience: string,
  ) {
    this.keys = createLocalJWKSet({ keys: publicKeys });
  }

  async verify(credential: string, rawBody: Buffer | undefined): Promise<CredentialCheck> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(credential, this.keys, {
        algorithms: [GATEWAY_CREDENTIAL_ALG],
        issuer: ISSUER,
        audience: this.audience,
        typ: TYPE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['iat', 'exp', 'jti', 'bh', 'rid'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError) return { ok: false, reason: error.code };
      throw error;
    }
    const { iat, exp, jti, bh, rid, sub, tid, role, sid } = payload as Partial<CredentialClaims> & { iat: number; exp: number; jti: string; sub?: string };
    if (exp - iat > MAX_LIFETIME_SECONDS) return { ok: false, reason: 'credential lives too long' };
    const expected = Buffer.from(String(bh), 'base64url');
    const actual = sha256(rawBody ?? Buffer.alloc(0));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'credential is for another request body' };
    if (!this.replays.remember(jti, exp + CLOCK_TOLERANCE_SECONDS, Math.floor(Date.now() / 1000))) return { ok: false, reason: 'credential was already used' };
    if (sub === undefined) return { ok: true, identity: null, requestId: String(rid) };
    if (!UUID.test(sub) || typeof tid !== 'string' || !UUID.test(tid) || (role !== 'CUSTOMER' && role !== 'ADMIN')) {
      return { ok: false, reason: 'credential carries a malformed identity' };
    }
    return { ok: true, identity: { userId: sub, tenantId: tid, role, ...(typeof sid === 'string' ? { sessionId: sid } : {}) }, requestId: String(rid) };
  }
}
