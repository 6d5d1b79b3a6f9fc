import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK, type CryptoKey } from 'jose';

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function fromPem(pem: string, kid: string | undefined): Promise<SigningKey> {
  const privateKey = await importPKCS8(pem, SIGNING_ALG, { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  return { kid: kid ?? (await calculateJwkThumbprint(publicJwk)), privateKey, publicJwk };
}

/**
 * The key tokens are signed with: from config when given, else (development and tests) a key pair
 * generated once into DATA_DIR/keys so tokens survive restarts.
 */
export async function loadSigningKey(options: { privateKeyPem: string | undefined; keyId: string | undefined; dataDir: string }): Promise<SigningKey> {
  if (options.privateKeyPem) return fromPem(options.privateKeyPem, options.keyId);
  const file = join(options.dataDir, 'keys', 'jwt-signing-key.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { kid: string; pem: string };
    return fromPem(stored.pem, stored.kid);
  }
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const pem = await exportPKCS8(privateKey);
  const kid = `dev-${randomUUID()}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ kid, pem }), { mode: 0o600 });
  return fromPem(pem, kid);
}

/**
 * The JWKS document the gateway verifies tokens with: the current key, then retired ones (from
 * JWT_PREVIOUS_PUBLIC_KEYS) that still verify tokens signed before a rotation until those expire.
 */
export function jwksOf(keys: SigningKey[], previous: JWK[] = []): { keys: JWK[] } {
  const current = keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: SIGNING_ALG, use: 'sig' }));
  const currentIds = new Set(current.map((k) => k.kid));
  const retired = previous
    .filter((k) => k.kid && !currentIds.has(k.kid))
    .map(({ d: _private, ...k }) => ({ ...k, alg: SIGNING_ALG, use: 'sig' }));
  return { keys: [...current, ...retired] };
}
