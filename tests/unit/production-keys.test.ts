import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { loadAccountsConfig } from '../../subgraphs/accounts/src/config.js';
import { loadGatewayPublicKeys, loadGatewaySigningKey } from '#platform/auth';
import { loadOrdersConfig } from '../../subgraphs/orders/src/config.js';
import { REPO_ROOT } from '#platform/config';

const root = mkdtempSync(join(tmpdir(), 'sc-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function generate(dir: string, ...args: string[]): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'tools/keys-generate.ts', dir, ...args], { cwd: REPO_ROOT, stdio: 'pipe' });
}

function envFile(dir: string, file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const keysOf = (dir: string) => ({
  ...envFile(dir, 'gateway-signing-key.env'),
  ...envFile(dir, 'gateway-public-keys.env'),
  ...envFile(dir, 'accounts-jwt-key.env'),
});

describe('npm run keys:generate', () => {
  it('writes keys the production configuration of the gateway, accounts and the subgraphs accepts', async () => {
    const dir = join(root, 'first');
    generate(dir);
    const keys = keysOf(dir);
    const production = { NODE_ENV: 'production', ...keys };
    const gateway = loadGatewayConfig(production);
    const accounts = loadAccountsConfig(production, { standalone: true });
    const orders = loadOrdersConfig(production, { standalone: true });
    expect(accounts.jwt.keyId).toBe(keys.JWT_KEY_ID);
    const signer = await loadGatewaySigningKey({ ...gateway.edge.credential, dataDir: root });
    const trusted = await loadGatewayPublicKeys({ publicKeys: orders.gatewayTrust.publicKeys, dataDir: root });
    expect(signer.kid).toBe(keys.GATEWAY_SIGNING_KEY_ID);
    expect(trusted.find((k) => k.kid === signer.kid)).toMatchObject({ x: signer.publicJwk.x, alg: 'EdDSA' });
  });

  it('keeps trusting the previous keys when rotating', () => {
    const before = join(root, 'before');
    const after = join(root, 'after');
    generate(before);
    generate(after, '--rotate-from', before);
    const old = keysOf(before);
    const rotated = keysOf(after);
    expect(rotated.GATEWAY_SIGNING_KEY_ID).not.toBe(old.GATEWAY_SIGNING_KEY_ID);
    const trusted = (JSON.parse(rotated.GATEWAY_PUBLIC_KEYS!) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(trusted).toEqual([rotated.GATEWAY_SIGNING_KEY_ID, old.GATEWAY_SIGNING_KEY_ID]);
    const accounts = loadAccountsConfig({ NODE_ENV: 'production', ...rotated }, { standalone: true });
    expect(JSON.stringify(accounts)).toContain(old.JWT_KEY_ID);
  });
});
