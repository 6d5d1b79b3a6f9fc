import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type CryptoKey, type JWK } from 'jose';

/** The gateway signs its subgraph credentials with Ed25519; subgraphs accept nothing else. */
export const GATEWAY_CREDENTIAL_ALG = 'EdDSA';

export interface GatewaySigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
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

async function fromPem(pem: string, kid: string | undefined): Promise<GatewaySigningKey> {
  const privateKey = await importPKCS8(pem, GATEWAY_CREDENTIAL_ALG, { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  return { kid: kid ?? (await calculateJwkThumbprint(publicJwk)), privateKey, publicJwk: { ...publicJwk, alg: GATEWAY_CREDENTIAL_ALG, use: 'sig' } };
}

/** Where development keeps the gateway's key pair, shared by every process of one DATA_DIR. */
export function devGatewayKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'gateway-signing.json');
}

async function devKey(dataDir: string): Promise<GatewaySigningKey> {
  const file = devGatewayKeyFile(dataDir);
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair(GATEWAY_CREDENTIAL_ALG, { extractable: true });
    writeOnce(file, JSON.stringify({ kid: `dev-gateway-${randomUUID()}`, pem: await exportPKCS8(privateKey) }));
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { kid: string; pem: string };
  return fromPem(stored.pem, stored.kid);
}

/** The gateway's signing key: from config (PKCS#8 PEM), else (outside production) the development key of DATA_DIR. */
export async function loadGatewaySigningKey(options: { privateKeyPem: string | undefined; keyId: string | undefined; dataDir: string }): Promise<GatewaySigningKey> {
  return options.privateKeyPem ? fromPem(options.privateKeyPem, options.keyId) : devKey(options.dataDir);
}

/**
 * The public keys a subgraph accepts gateway credentials from: from config (a JWKS with the
 * current key and, while rotating, the previous one), else the development key of DATA_DIR.
 */
export async function loadGatewayPublicKeys(options: { publicKeys: JWK[] | undefined; dataDir: string }): Promise<JWK[]> {
  if (options.publicKeys) return options.publicKeys;
  const key = await devKey(options.dataDir);
  return [{ ...key.publicJwk, kid: key.kid }];
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
