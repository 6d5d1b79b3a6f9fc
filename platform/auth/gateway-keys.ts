import { createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One subgraph's credential key: what the gateway MACs that subgraph's credentials with, and all the subgraph holds. */
export interface CredentialKey {
  kid: string;
  key: Buffer;
}

/** The gateway's credential secret: every subgraph's key is derived from it, and only the gateway holds it. */
export interface GatewayCredentialSecret {
  kid: string;
  secret: Buffer;
}

/** Derived keys are HMAC-SHA256 keys of the hash's size. */
const KEY_BYTES = 32;
const MIN_SECRET_BYTES = 32;
/** HKDF's salt: fixed, it separates these keys from anything else a secret might be used for. */
const HKDF_SALT = 'supergraph-commerce/gateway-credential/v1';

const hkdf = (secret: Buffer, info: string, length: number) => Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, length));

/**
 * The key of one subgraph (HKDF-SHA256 of the gateway's secret, the subgraph's name as info). Knowing
 * one subgraph's key tells nothing about another's, and the gateway derives them all from one secret.
 */
export function subgraphCredentialKey(secret: GatewayCredentialSecret, subgraph: string): CredentialKey {
  return { kid: secret.kid, key: hkdf(secret.secret, `subgraph:${subgraph}`, KEY_BYTES) };
}

/** The env variable holding a subgraph's credential keys (current first, then previous while rotating). */
export function credentialKeysVariable(subgraph: string): string {
  return `GATEWAY_CREDENTIAL_KEYS_${subgraph.toUpperCase()}`;
}

/** Keys as their env value: a JWK Set of symmetric keys, `{"keys":[{"kty":"oct","alg":"HS256","kid":…,"k":…}]}`. */
export function credentialKeysJson(keys: CredentialKey[]): string {
  return JSON.stringify({ keys: keys.map((k) => ({ kty: 'oct', alg: 'HS256', kid: k.kid, k: k.key.toString('base64url') })) });
}

/** Parses `credentialKeysJson`'s format; throws a message naming what is wrong. */
export function parseCredentialKeys(value: string): CredentialKey[] {
  let parsed: { keys?: unknown };
  try {
    parsed = JSON.parse(value) as { keys?: unknown };
  } catch {
    throw new Error('expected a JWK Set: {"keys":[{"kty":"oct","alg":"HS256","kid":"…","k":"…"}]}');
  }
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('expected a JWK Set with at least one key');
  const keys = parsed.keys.map((entry: unknown, i) => {
    const jwk = entry as { kty?: unknown; alg?: unknown; kid?: unknown; k?: unknown };
    if (jwk.kty !== 'oct' || (jwk.alg !== undefined && jwk.alg !== 'HS256')) throw new Error(`key ${i}: expected kty "oct" and alg "HS256"`);
    if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) throw new Error(`key ${i}: kid missing`);
    const key = typeof jwk.k === 'string' ? Buffer.from(jwk.k, 'base64url') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES || key.toString('base64url') !== jwk.k) throw new Error(`key ${i}: k must be ${KEY_BYTES} bytes, base64url`);
    return { kid: jwk.kid, key };
  });
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new Error('two keys share a kid');
  return keys;
}

/** Parses a configured secret (base64url of 32 or more random bytes); throws when it is not one. */
export function parseGatewayCredentialSecret(value: string, keyId: string | undefined): GatewayCredentialSecret {
  const secret = Buffer.from(value, 'base64url');
  if (secret.length < MIN_SECRET_BYTES || secret.toString('base64url') !== value) {
    throw new Error(`expected ${MIN_SECRET_BYTES} or more random bytes, base64url-encoded (npm run keys:generate writes one)`);
  }
  // without an explicit id, one derived from the secret: the same secret always has the same id
  return { kid: keyId ?? `gw-${hkdf(secret, 'key-id', 9).toString('base64url')}`, secret };
}

/**
 * Writes a file only if nobody else has: the gateway and the subgraphs of one DATA_DIR may start
 * at once (embedded, or separate processes in development), and all must end up with the same key.
 */
function writeOnce(file: string, content: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const partial = `${file}.${process.pid}.${randomUUID()}.partial`;
  writeFileSync(partial, content, { mode: 0o600 });
  try {
    linkSync(partial, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Where development keeps the gateway's credential secret, shared by every process of one DATA_DIR. */
function devGatewaySecretFile(dataDir: string): string {
  return join(dataDir, 'keys', 'gateway-credential.json');
}

function devSecret(dataDir: string): GatewayCredentialSecret {
  const file = devGatewaySecretFile(dataDir);
  if (!existsSync(file)) writeOnce(file, JSON.stringify({ kid: `dev-gateway-${randomUUID()}`, secret: randomBytes(32).toString('base64url') }));
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { kid: string; secret: string };
  return parseGatewayCredentialSecret(stored.secret, stored.kid);
}

/** The gateway's credential secret: from config, else (outside production) the development secret of DATA_DIR. */
export function loadGatewayCredentialSecret(options: { secret: GatewayCredentialSecret | undefined; dataDir: string }): GatewayCredentialSecret {
  return options.secret ?? devSecret(options.dataDir);
}

/**
 * The keys a subgraph accepts gateway credentials under: from config (its own key and, while
 * rotating, the previous one), else (outside production) its key derived from the development
 * secret of DATA_DIR, which development processes share.
 */
export function loadSubgraphCredentialKeys(options: { keys: CredentialKey[] | undefined; subgraph: string; dataDir: string }): CredentialKey[] {
  return options.keys ?? [subgraphCredentialKey(devSecret(options.dataDir), options.subgraph)];
}

/**
 * The key composition tooling sends to read a subgraph's `_service { sdl }`: from config, else
 * (outside production) one generated into DATA_DIR/keys. Production without one: no tooling access.
 */
export function loadToolingKey(options: { toolingKey: string | undefined; dataDir: string; production: boolean }): string | undefined {
  if (options.toolingKey || options.production) return options.toolingKey;
  const file = join(options.dataDir, 'keys', 'subgraph-tooling.key');
  if (!existsSync(file)) writeOnce(file, randomBytes(32).toString('base64url'));
  return readFileSync(file, 'utf8').trim();
}

export function sha256(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}
