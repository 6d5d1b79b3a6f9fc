import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '#contracts';
import { loadDistributedConfig } from '../../hosts/distributed/config.js';
import { variablesOf } from '../harness/deployment-files.js';

// The launcher's environment as production gives it: every database, the gateway secret, the
// user-token signing key, Redis with a password, the tooling key.
const dataDir = mkdtempSync(join(tmpdir(), 'sc-distributed-env-'));
const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const launcherEnv: Record<string, string> = {
  PATH: '/usr/bin:/bin',
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://:redis-password@127.0.0.1:6379',
  GATEWAY_CREDENTIAL_SECRET: randomBytes(32).toString('base64url'),
  JWT_PRIVATE_KEY: signingKey,
  JWT_KEY_ID: 'user-token-key-1',
  JWT_ISSUER: 'supergraph-commerce',
  JWT_AUDIENCE: 'supergraph-commerce',
  SUBGRAPH_TOOLING_KEY: randomBytes(32).toString('hex'),
  PAYMENT_LATENCY_MS: '5',
  ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`DATABASE_URL_${name.toUpperCase()}`, `postgresql://${name}:${name}-db-password@127.0.0.1:5432/sc_${name}`])),
};
const config = loadDistributedConfig(launcherEnv);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("start:distributed's child environments", () => {
  it('gives every process each variable its config reads that the launcher has, so nothing it needs is withheld', () => {
    for (const process of ['gateway', ...SUBGRAPH_NAMES] as const) {
      for (const variable of variablesOf(process)) {
        if (config.env[variable] !== undefined) expect(config.processEnv[process][variable], `${process}: ${variable}`).toBe(config.env[variable]);
      }
      expect(config.processEnv[process].PATH, process).toBe('/usr/bin:/bin');
      expect(config.processEnv[process].OTEL_EXPORTER_OTLP_ENDPOINT, process).toBe('http://127.0.0.1:4318');
    }
  });

  it('gives the gateway the credential secret, Redis and the token checks, and no database, subgraph key or signing key', () => {
    const gateway = config.processEnv.gateway;
    expect(gateway.GATEWAY_CREDENTIAL_SECRET).toBe(launcherEnv.GATEWAY_CREDENTIAL_SECRET);
    expect(gateway.REDIS_URL).toBe(launcherEnv.REDIS_URL);
    expect([gateway.JWT_ISSUER, gateway.JWT_AUDIENCE]).toEqual(['supergraph-commerce', 'supergraph-commerce']);
    expect(Object.keys(gateway).filter((v) => v.startsWith('DATABASE_URL'))).toEqual([]);
    expect(Object.keys(gateway).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_KEYS_'))).toEqual([]);
    expect(gateway.JWT_PRIVATE_KEY).toBeUndefined();
    expect(gateway.SUBGRAPH_TOOLING_KEY).toBeUndefined();
    const text = JSON.stringify(gateway);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('-db-password');
  });

  it('gives each subgraph only its own database and credential key, the signing key only to accounts, and neither the secret nor Redis', () => {
    for (const name of SUBGRAPH_NAMES) {
      const own = config.processEnv[name];
      const upper = name.toUpperCase();
      expect(Object.keys(own).filter((v) => v.startsWith('DATABASE_URL')), name).toEqual([`DATABASE_URL_${upper}`]);
      expect(Object.keys(own).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_')), name).toEqual([`GATEWAY_CREDENTIAL_KEYS_${upper}`]);
      expect(own.REDIS_URL, name).toBeUndefined();
      expect(own.SUBGRAPH_TOOLING_KEY, name).toBe(launcherEnv.SUBGRAPH_TOOLING_KEY);
      expect(Object.keys(own).filter((v) => v.startsWith('JWT_PRIVATE_KEY') || v === 'JWT_KEY_ID'), name).toEqual(name === 'accounts' ? ['JWT_PRIVATE_KEY', 'JWT_KEY_ID'] : []);
      const text = JSON.stringify(own);
      expect(text, name).not.toContain(launcherEnv.GATEWAY_CREDENTIAL_SECRET);
      expect(text, name).not.toContain('redis-password');
      for (const other of SUBGRAPH_NAMES.filter((n) => n !== name)) expect(text, `${name} holds ${other}'s database password`).not.toContain(`${other}-db-password`);
      expect(config.subgraphs[name].databaseUrl, name).toBe(launcherEnv[`DATABASE_URL_${upper}`]);
    }
  });
});
