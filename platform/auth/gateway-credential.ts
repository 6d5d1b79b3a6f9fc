import { createHmac, createSecretKey, hash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Identity } from './identity.js';
import type { CredentialKey } from './gateway-keys.js';

/** The header every gateway → subgraph request carries. */
export const GATEWAY_CREDENTIAL_HEADER = 'x-gateway-credential';
/** The header composition tooling sends its key in (it may read `_service` and nothing else). */
export const TOOLING_KEY_HEADER = 'x-subgraph-tooling-key';

const ISSUER = 'supergraph-gateway';
const TYPE = 'gateway+jwt';
const ALG = 'HS256';
/** Clocks of the gateway and the subgraphs may differ this much. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** A credential claiming a longer life than this is refused even when its MAC is right. */
const MAX_LIFETIME_SECONDS = 300;

interface CredentialClaims {
  /** The request id, so one id follows the request into the subgraph's logs. */
  rid: string;
  /** base64url SHA-256 of the exact request body: the credential is good for this body only. */
  bh: string;
  tid?: string;
  role?: string;
  sid?: string;
  sub?: string;
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
}

export function bodyHash(body: string | Buffer): string {
  // one-shot: no Hash object per credential (16 per fan-out request)
  return hash('sha256', body, 'base64url');
}

/** The protected header, encoded: the same bytes for every credential under one key id. */
const encodedHeaderOf = (kid: string) => Buffer.from(JSON.stringify({ alg: ALG, kid, typ: TYPE })).toString('base64url');
const macOf = (key: KeyObject, signingInput: string) => createHmac('sha256', key).update(signingInput).digest('base64url');

/**
 * What the gateway attaches to a request to one subgraph: a short-lived JWT (HS256, RFC 7519) for
 * exactly that subgraph (aud), one request body (bh) and one caller (sub/tid/role/sid, absent for
 * anonymous calls), MACed with that subgraph's own key (gateway-keys.ts). One HMAC and one SHA-256
 * per credential, a few microseconds.
 */
export class GatewayCredentialSigner {
  private readonly key: KeyObject;
  private readonly encodedHeader: string;
  /** jti = this prefix (random per signer) + a counter: unique without a random draw per credential. */
  private readonly jtiPrefix = randomBytes(9).toString('base64url');
  private counter = 0;

  constructor(
    key: CredentialKey,
    private readonly audience: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = createSecretKey(key.key);
    this.encodedHeader = encodedHeaderOf(key.kid);
  }

  sign(request: { body: string | Buffer; requestId: string; identity: Identity | null }): string {
    const { identity } = request;
    const now = Math.floor(Date.now() / 1000);
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    const claims: CredentialClaims = {
      rid: request.requestId,
      bh: bodyHash(request.body),
      ...(identity ? { tid: identity.tenantId, role: identity.role, ...(identity.sessionId ? { sid: identity.sessionId } : {}), sub: identity.userId } : {}),
      iss: ISSUER,
      aud: this.audience,
      iat: now,
      exp: now + this.ttlSeconds,
      jti: `${this.jtiPrefix}${this.counter.toString(36)}`,
    };
    const signingInput = `${this.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signingInput}.${macOf(this.key, signingInput)}`;
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
const refuse = (reason: string): CredentialCheck => ({ ok: false, reason });

/**
 * Checks gateway credentials on one subgraph: the MAC under one of its keys (current, and previous
 * while rotating), audience, lifetime, body binding, replay. Synchronous, no JWT library: the header
 * must be byte for byte one the gateway writes for a known key id (so `alg` cannot be chosen by the
 * sender), the MAC is compared in constant time, and the claims are read only once it matched.
 */
export class GatewayCredentialVerifier {
  /** Encoded header → key: finding the key also checks alg, kid and typ. */
  private readonly keys = new Map<string, KeyObject>();
  private readonly replays = new ReplayGuard();

  constructor(
    keys: CredentialKey[],
    private readonly audience: string,
  ) {
    for (const key of keys) this.keys.set(encodedHeaderOf(key.kid), createSecretKey(key.key));
  }

  verify(credential: string, rawBody: Buffer | undefined): CredentialCheck {
    const headerEnd = credential.indexOf('.');
    const payloadEnd = headerEnd < 0 ? -1 : credential.indexOf('.', headerEnd + 1);
    if (payloadEnd < 0) return refuse('credential is not a JWS');
    const key = this.keys.get(credential.slice(0, headerEnd));
    if (!key) return refuse('credential is not under a key this subgraph holds');
    const expected = Buffer.from(macOf(key, credential.slice(0, payloadEnd)));
    const given = Buffer.from(credential.slice(payloadEnd + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('credential MAC does not match');

    let claims: Partial<CredentialClaims>;
    try {
      claims = JSON.parse(Buffer.from(credential.slice(headerEnd + 1, payloadEnd), 'base64url').toString('utf8')) as Partial<CredentialClaims>;
    } catch {
      return refuse('credential claims are not JSON');
    }
    const { iss, aud, iat, exp, jti, bh, rid, sub, tid, role, sid } = claims ?? {};
    if (iss !== ISSUER || aud !== this.audience) return refuse('credential is for another subgraph');
    if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp) || typeof jti !== 'string' || typeof bh !== 'string' || typeof rid !== 'string') {
      return refuse('credential lacks a required claim');
    }
    const now = Math.floor(Date.now() / 1000);
    if (exp! - iat! > MAX_LIFETIME_SECONDS) return refuse('credential lives too long');
    if (exp! <= now - CLOCK_TOLERANCE_SECONDS) return refuse('credential expired');
    if (iat! > now + CLOCK_TOLERANCE_SECONDS) return refuse('credential issued in the future');
    const expectedBody = Buffer.from(bh, 'base64url');
    const actualBody = hash('sha256', rawBody ?? Buffer.alloc(0), 'buffer');
    if (expectedBody.length !== actualBody.length || !timingSafeEqual(expectedBody, actualBody)) return refuse('credential is for another request body');
    if (!this.replays.remember(jti, exp! + CLOCK_TOLERANCE_SECONDS, now)) return refuse('credential was already used');
    if (sub === undefined) return { ok: true, identity: null, requestId: rid };
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof tid !== 'string' || !UUID.test(tid) || (role !== 'CUSTOMER' && role !== 'ADMIN')) {
      return refuse('credential carries a malformed identity');
    }
    return { ok: true, identity: { userId: sub, tenantId: tid, role, ...(typeof sid === 'string' ? { sessionId: sid } : {}) }, requestId: rid };
  }
}
