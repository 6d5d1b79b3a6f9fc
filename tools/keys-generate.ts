// `npm run keys:generate -- <dir> [--rotate-from <old dir>]`: new production keys as env files,
// one per Secret/ConfigMap of deploy/k8s (see OPERATIONS.md, "Rotating keys"):
//   gateway-signing-key.env  GATEWAY_SIGNING_KEY, GATEWAY_SIGNING_KEY_ID  (Secret, gateway only)
//   gateway-public-keys.env  GATEWAY_PUBLIC_KEYS                          (ConfigMap, every subgraph)
//   accounts-jwt-key.env     JWT_PRIVATE_KEY, JWT_KEY_ID, JWT_PREVIOUS_PUBLIC_KEYS (Secret, accounts only)
// With --rotate-from, the public keys of the old directory stay trusted next to the new ones.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';

const [dir, flag, oldDir] = process.argv.slice(2);
if (!dir || (flag !== undefined && (flag !== '--rotate-from' || !oldDir))) {
  console.error('usage: npm run keys:generate -- <dir> [--rotate-from <old dir>]');
  process.exit(2);
}
if (existsSync(join(dir, 'gateway-signing-key.env'))) {
  console.error(`${dir} already holds keys: pick a new directory`);
  process.exit(2);
}

/** Reads KEY=value lines (the format kubectl create secret --from-env-file takes). */
function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && !line.startsWith('#')) values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}

const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
const date = new Date().toISOString().slice(0, 10);

async function keyPair(alg: 'EdDSA' | 'ES256', kid: string): Promise<{ pem: string; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const pem = await exportPKCS8(privateKey);
  const { d: _private, ...publicJwk } = await exportJWK(await importPKCS8(pem, alg, { extractable: true }));
  return { pem, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

const gatewayKid = `gateway-${date}-${randomUUID().slice(0, 8)}`;
const jwtKid = `accounts-${date}-${randomUUID().slice(0, 8)}`;
const gateway = await keyPair('EdDSA', gatewayKid);
const jwt = await keyPair('ES256', jwtKid);

let previousGateway: JWK[] = [];
let previousJwt: JWK[] = [];
if (oldDir) {
  previousGateway = (JSON.parse(readEnvFile(join(oldDir, 'gateway-public-keys.env')).GATEWAY_PUBLIC_KEYS!) as { keys: JWK[] }).keys.slice(0, 1);
  const oldJwt = readEnvFile(join(oldDir, 'accounts-jwt-key.env'));
  const { d: _private, ...oldPublic } = await exportJWK(await importPKCS8(oldJwt.JWT_PRIVATE_KEY!.replace(/\\n/g, '\n'), 'ES256', { extractable: true }));
  previousJwt = [{ ...oldPublic, kid: oldJwt.JWT_KEY_ID, alg: 'ES256', use: 'sig' }];
}

mkdirSync(dir, { recursive: true, mode: 0o700 });
const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), `${lines.join('\n')}\n`, { mode: 0o600 });
write('gateway-signing-key.env', [`GATEWAY_SIGNING_KEY=${oneLine(gateway.pem)}`, `GATEWAY_SIGNING_KEY_ID=${gatewayKid}`]);
write('gateway-public-keys.env', [`GATEWAY_PUBLIC_KEYS=${JSON.stringify({ keys: [gateway.publicJwk, ...previousGateway] })}`]);
write('accounts-jwt-key.env', [
  `JWT_PRIVATE_KEY=${oneLine(jwt.pem)}`,
  `JWT_KEY_ID=${jwtKid}`,
  ...(previousJwt.length ? [`JWT_PREVIOUS_PUBLIC_KEYS=${JSON.stringify({ keys: previousJwt })}`] : []),
]);
console.log(`keys written to ${dir}: gateway ${gatewayKid}, accounts ${jwtKid}${oldDir ? ` (still trusting ${previousGateway.map((k) => k.kid).join(', ')})` : ''}`);
