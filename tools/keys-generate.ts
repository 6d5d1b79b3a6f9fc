// `npm run keys:generate -- <dir> [--rotate-from <old dir>]`: new production keys as env files,
// one per Secret of deploy/k8s (see OPERATIONS.md, "Rotating keys"):
//   gateway-credential-secret.env   GATEWAY_CREDENTIAL_SECRET, GATEWAY_CREDENTIAL_KEY_ID  (gateway only)
//   <subgraph>-gateway-credential.env  GATEWAY_CREDENTIAL_KEYS_<SUBGRAPH>  (that subgraph only: its key, derived from the secret)
//   accounts-jwt-key.env            JWT_PRIVATE_KEY, JWT_KEY_ID, JWT_PREVIOUS_PUBLIC_KEYS  (accounts only)
// With --rotate-from, each subgraph keeps accepting its key of the old directory next to the new one,
// and accounts keeps publishing the old token key. `-- <dir> --finish-rotation` rewrites <dir>'s
// subgraph and accounts files without the previous keys, once the rotation is over.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { credentialKeysJson, credentialKeysVariable, parseGatewayCredentialSecret, subgraphCredentialKey, type GatewayCredentialSecret } from '#platform/auth';
import { SUBGRAPH_NAMES } from '#contracts';

const [dir, flag, oldDir] = process.argv.slice(2);
const finishing = flag === '--finish-rotation' && oldDir === undefined;
if (!dir || (flag !== undefined && !finishing && (flag !== '--rotate-from' || !oldDir))) {
  console.error('usage: npm run keys:generate -- <dir> [--rotate-from <old dir> | --finish-rotation]');
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

const write = (file: string, lines: string[]) => writeFileSync(join(dir, file), `${lines.join('\n')}\n`, { mode: 0o600 });
const secretOf = (from: string) => {
  const env = readEnvFile(join(from, 'gateway-credential-secret.env'));
  return parseGatewayCredentialSecret(env.GATEWAY_CREDENTIAL_SECRET!, env.GATEWAY_CREDENTIAL_KEY_ID);
};

if (finishing) {
  const secret = secretOf(dir);
  for (const name of SUBGRAPH_NAMES) write(`${name}-gateway-credential.env`, [`${credentialKeysVariable(name)}=${credentialKeysJson([subgraphCredentialKey(secret, name)])}`]);
  const jwt = readEnvFile(join(dir, 'accounts-jwt-key.env'));
  write('accounts-jwt-key.env', [`JWT_PRIVATE_KEY=${jwt.JWT_PRIVATE_KEY}`, `JWT_KEY_ID=${jwt.JWT_KEY_ID}`]);
  console.log(`${dir}: subgraphs accept ${secret.kid} only, accounts publishes ${jwt.JWT_KEY_ID} only`);
  process.exit(0);
}
if (existsSync(join(dir, 'gateway-credential-secret.env'))) {
  console.error(`${dir} already holds keys: pick a new directory`);
  process.exit(2);
}

const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
const date = new Date().toISOString().slice(0, 10);

const gatewayKid = `gateway-${date}-${randomUUID().slice(0, 8)}`;
const jwtKid = `accounts-${date}-${randomUUID().slice(0, 8)}`;
const gatewaySecret = randomBytes(32).toString('base64url');
const secret = parseGatewayCredentialSecret(gatewaySecret, gatewayKid);
const { privateKey: jwtKey } = await generateKeyPair('ES256', { extractable: true });
const jwtPem = await exportPKCS8(jwtKey);

let previousSecret: GatewayCredentialSecret | undefined;
let previousJwt: JWK[] = [];
if (oldDir) {
  previousSecret = secretOf(oldDir);
  const oldJwt = readEnvFile(join(oldDir, 'accounts-jwt-key.env'));
  const { d: _private, ...oldPublic } = await exportJWK(await importPKCS8(oldJwt.JWT_PRIVATE_KEY!.replace(/\\n/g, '\n'), 'ES256', { extractable: true }));
  previousJwt = [{ ...oldPublic, kid: oldJwt.JWT_KEY_ID, alg: 'ES256', use: 'sig' }];
}

mkdirSync(dir, { recursive: true, mode: 0o700 });
write('gateway-credential-secret.env', [`GATEWAY_CREDENTIAL_SECRET=${gatewaySecret}`, `GATEWAY_CREDENTIAL_KEY_ID=${gatewayKid}`]);
for (const name of SUBGRAPH_NAMES) {
  const keys = [subgraphCredentialKey(secret, name), ...(previousSecret ? [subgraphCredentialKey(previousSecret, name)] : [])];
  write(`${name}-gateway-credential.env`, [`${credentialKeysVariable(name)}=${credentialKeysJson(keys)}`]);
}
write('accounts-jwt-key.env', [
  `JWT_PRIVATE_KEY=${oneLine(jwtPem)}`,
  `JWT_KEY_ID=${jwtKid}`,
  ...(previousJwt.length ? [`JWT_PREVIOUS_PUBLIC_KEYS=${JSON.stringify({ keys: previousJwt })}`] : []),
]);
console.log(`keys written to ${dir}: gateway ${gatewayKid}, accounts ${jwtKid}${previousSecret ? ` (subgraphs still accept ${previousSecret.kid})` : ''}`);
