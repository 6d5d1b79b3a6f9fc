import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { loadAccountsConfig } from '../../subgraphs/accounts/src/config.js';
import {
  credentialKeysVariable,
  GatewayCredentialSigner,
  GatewayCredentialVerifier,
  loadGatewayCredentialSecret,
  loadSubgraphCredentialKeys,
  subgraphCredentialKey,
} from '#platform/auth';
import { SUBGRAPH_NAMES } from '#contracts';
import { loadCatalogConfig } from '../../subgraphs/catalog/src/config.js';
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

const SUBGRAPH_FILES = SUBGRAPH_NAMES.map((name) => `${name}-gateway-credential.env`);

const keysOf = (dir: string) => ({
  ...envFile(dir, 'gateway-credential-secret.env'),
  ...Object.assign({}, ...SUBGRAPH_FILES.map((file) => envFile(dir, file))),
  ...envFile(dir, 'accounts-jwt-key.env'),
}) as Record<string, string>;

const body = JSON.stringify({ query: '{ __typename }' });

describe('npm run keys:generate', () => {
  it('writes keys the production configuration of the gateway, accounts and the subgraphs accepts', () => {
    const dir = join(root, 'first');
    generate(dir);
    const keys = keysOf(dir);
    const production = { NODE_ENV: 'production', ...keys };
    const gateway = loadGatewayConfig(production);
    const accounts = loadAccountsConfig(production, { standalone: true });
    expect(accounts.jwt.keyId).toBe(keys.JWT_KEY_ID);
    const secret = loadGatewayCredentialSecret({ secret: gateway.edge.credential.secret, dataDir: root });
    expect(secret.kid).toBe(keys.GATEWAY_CREDENTIAL_KEY_ID);
    // what the gateway makes for each subgraph, that subgraph accepts, and no other
    const orders = loadOrdersConfig(production, { standalone: true });
    const catalog = loadCatalogConfig(production, { standalone: true });
    const ordersVerifier = new GatewayCredentialVerifier(loadSubgraphCredentialKeys({ keys: orders.gatewayTrust.credentialKeys, subgraph: 'orders', dataDir: root }), 'orders');
    const catalogVerifier = new GatewayCredentialVerifier(loadSubgraphCredentialKeys({ keys: catalog.gatewayTrust.credentialKeys, subgraph: 'catalog', dataDir: root }), 'catalog');
    const toOrders = new GatewayCredentialSigner(subgraphCredentialKey(secret, 'orders'), 'orders', 30).sign({ body, requestId: 'r-1', identity: null });
    expect(ordersVerifier.verify(toOrders, Buffer.from(body)).ok).toBe(true);
    const catalogKeyAimedAtOrders = new GatewayCredentialSigner(catalog.gatewayTrust.credentialKeys![0]!, 'orders', 30).sign({ body, requestId: 'r-2', identity: null });
    expect(ordersVerifier.verify(catalogKeyAimedAtOrders, Buffer.from(body)).ok).toBe(false);
    expect(catalogVerifier.verify(new GatewayCredentialSigner(subgraphCredentialKey(secret, 'catalog'), 'catalog', 30).sign({ body, requestId: 'r-3', identity: null }), Buffer.from(body)).ok).toBe(true);
  });

  it("gives each subgraph a file holding its own key only, and the secret to the gateway's file only", () => {
    const dir = join(root, 'split');
    generate(dir);
    for (const name of SUBGRAPH_NAMES) expect(Object.keys(envFile(dir, `${name}-gateway-credential.env`)), name).toEqual([credentialKeysVariable(name)]);
    expect(Object.keys(envFile(dir, 'gateway-credential-secret.env')).sort()).toEqual(['GATEWAY_CREDENTIAL_KEY_ID', 'GATEWAY_CREDENTIAL_SECRET']);
    const secret = keysOf(dir).GATEWAY_CREDENTIAL_SECRET!;
    for (const file of SUBGRAPH_FILES) expect(readFileSync(join(dir, file), 'utf8'), file).not.toContain(secret);
  });

  it('refuses to start the gateway or a subgraph in production without its key', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(/GATEWAY_CREDENTIAL_SECRET/);
    expect(() => loadOrdersConfig({ NODE_ENV: 'production' }, { standalone: true })).toThrow(/GATEWAY_CREDENTIAL_KEYS_ORDERS/);
    // another subgraph's key is not this subgraph's
    const keys = keysOf(join(root, 'first'));
    expect(() => loadOrdersConfig({ NODE_ENV: 'production', GATEWAY_CREDENTIAL_KEYS_CATALOG: keys.GATEWAY_CREDENTIAL_KEYS_CATALOG }, { standalone: true })).toThrow(/GATEWAY_CREDENTIAL_KEYS_ORDERS/);
    expect(() => loadGatewayConfig({ NODE_ENV: 'production', GATEWAY_CREDENTIAL_SECRET: 'short' })).toThrow(/GATEWAY_CREDENTIAL_SECRET/);
  });

  it('keeps each subgraph accepting its previous key when rotating', () => {
    const before = join(root, 'before');
    const after = join(root, 'after');
    generate(before);
    generate(after, '--rotate-from', before);
    const old = keysOf(before);
    const rotated = keysOf(after);
    expect(rotated.GATEWAY_CREDENTIAL_KEY_ID).not.toBe(old.GATEWAY_CREDENTIAL_KEY_ID);
    const orders = loadOrdersConfig({ NODE_ENV: 'production', ...rotated }, { standalone: true });
    expect(orders.gatewayTrust.credentialKeys!.map((k) => k.kid)).toEqual([rotated.GATEWAY_CREDENTIAL_KEY_ID, old.GATEWAY_CREDENTIAL_KEY_ID]);
    // a gateway still on the old secret and one already on the new are both accepted meanwhile
    const verifier = new GatewayCredentialVerifier(orders.gatewayTrust.credentialKeys!, 'orders');
    for (const [i, keys] of [old, rotated].entries()) {
      const secret = loadGatewayConfig({ NODE_ENV: 'production', ...keys }).edge.credential.secret!;
      const credential = new GatewayCredentialSigner(subgraphCredentialKey(secret, 'orders'), 'orders', 30).sign({ body, requestId: `rot-${i}`, identity: null });
      expect(verifier.verify(credential, Buffer.from(body)).ok).toBe(true);
    }
    const accounts = loadAccountsConfig({ NODE_ENV: 'production', ...rotated }, { standalone: true });
    expect(JSON.stringify(accounts)).toContain(old.JWT_KEY_ID);

    // once the rotation is over, the previous keys go
    generate(after, '--finish-rotation');
    const finished = keysOf(after);
    expect(finished.GATEWAY_CREDENTIAL_SECRET).toBe(rotated.GATEWAY_CREDENTIAL_SECRET);
    expect(loadOrdersConfig({ NODE_ENV: 'production', ...finished }, { standalone: true }).gatewayTrust.credentialKeys!.map((k) => k.kid)).toEqual([rotated.GATEWAY_CREDENTIAL_KEY_ID]);
    expect(finished.JWT_PREVIOUS_PUBLIC_KEYS).toBeUndefined();
    expect(finished.JWT_PRIVATE_KEY).toBe(rotated.JWT_PRIVATE_KEY);
  });
});
