// Helpers for the hostile suites (tests/e2e/hostile-*.test.ts): requests made the way an attacker
// would make them, straight to a subgraph or with hand-made tokens, and a fingerprint of every
// table to show that a refused request changed nothing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { expect } from 'vitest';
import {
  credentialKeysJson,
  credentialKeysVariable,
  GatewayCredentialSigner,
  GATEWAY_CREDENTIAL_HEADER,
  loadGatewayCredentialSecret,
  parseGatewayCredentialSecret,
  subgraphCredentialKey,
  type GatewayCredentialSecret,
  type Identity,
} from '#platform/auth';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import type { GraphQLResponse } from './graphql-client.js';
import type { TestSupergraph } from './supergraph.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } | null;
  text: string;
}

/** A POST with exactly these headers and this body, answered as text and (when it is JSON) parsed. */
export async function rawPost(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let parsed: RawResponse['body'] = null;
  try {
    parsed = JSON.parse(text) as RawResponse['body'];
  } catch {
    // not JSON: body stays null
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export function codeOfRaw(response: RawResponse): string | undefined {
  return response.body?.errors?.[0]?.extensions?.code as string | undefined;
}

/** The gateway's secret (the dev secret in DATA_DIR, or the configured one), as the gateway loads it. */
export function gatewaySecret(sg: TestSupergraph): GatewayCredentialSecret {
  return loadGatewayCredentialSecret({ secret: sg.gatewayConfig.edge.credential.secret, dataDir: sg.gatewayConfig.dataDir });
}

/** A signer with the key the gateway uses for `keyOf`, making credentials for `audience` (the same subgraph unless a test aims it elsewhere). */
export function gatewaySigner(sg: TestSupergraph, keyOf: SubgraphName, audience: string = keyOf): GatewayCredentialSigner {
  return new GatewayCredentialSigner(subgraphCredentialKey(gatewaySecret(sg), keyOf), audience, 30);
}

/**
 * A request straight to one subgraph signed exactly as the gateway signs it: what a subgraph
 * must answer (its row-level rules are then the only guard left).
 */
export async function asGateway(sg: TestSupergraph, subgraph: SubgraphName, identity: Identity | null, query: string, variables: Record<string, unknown> = {}): Promise<RawResponse> {
  const body = JSON.stringify({ query, variables });
  const credential = gatewaySigner(sg, subgraph).sign({ body, requestId: `test-${Date.now()}`, identity });
  return rawPost(sg.subgraphs[subgraph].url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential });
}

/** The accounts service's dev signing key, as an insider who stole it would hold it. */
export async function accountsSigningKey(sg: TestSupergraph): Promise<{ kid: string; key: CryptoKey }> {
  const stored = JSON.parse(readFileSync(join(sg.subgraphs.accounts.runtime.config.dataDir, 'keys', 'jwt-signing-key.json'), 'utf8')) as { kid: string; pem: string };
  return { kid: stored.kid, key: await importPKCS8(stored.pem, 'ES256') };
}

/** An access token with these claims, signed with the given key: the way accounts signs them unless a test changes something. */
export async function accessToken(
  signing: { kid: string; key: CryptoKey },
  claims: { sub: string; tid: string; role: string; sid?: string },
  options: { iat?: number; nbf?: number; exp?: number; iss?: string; aud?: string; alg?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ tid: claims.tid, role: claims.role, ...(claims.sid ? { sid: claims.sid } : {}) })
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: signing.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(options.iss ?? 'supergraph-commerce')
    .setAudience(options.aud ?? 'supergraph-commerce')
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(signing.key);
}

export function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Every table of every subgraph: row count and a digest of all rows. Equal fingerprints: nothing changed. */
export async function databaseFingerprint(sg: TestSupergraph): Promise<Record<string, string>> {
  await sg.settle();
  const result: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const tables = await sg.sql<{ table_name: string }>(name, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> '_prisma_migrations' ORDER BY table_name`, name);
    for (const { table_name } of tables) {
      const [row] = await sg.sql<{ n: number; digest: string }>(
        name,
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}"."${table_name}" t`,
      );
      result[`${name}.${table_name}`] = `${row!.n}:${row!.digest}`;
    }
  }
  return result;
}

/** Runs `act` and expects every table to be as it was. */
export async function expectNoDatabaseChange<T>(sg: TestSupergraph, act: () => Promise<T>): Promise<T> {
  const before = await databaseFingerprint(sg);
  const outcome = await act();
  expect(await databaseFingerprint(sg)).toEqual(before);
  return outcome;
}

/** A refusal: the code, no data at all. */
export function expectRefusal(response: GraphQLResponse | RawResponse, code: string, status?: number): void {
  const body = 'body' in response ? response.body : { data: response.data, errors: response.errors };
  expect(body?.errors?.[0]?.extensions?.code).toBe(code);
  expect(body?.data ?? null).toBeNull();
  if (status !== undefined) expect(response.status).toBe(status);
}

/**
 * What NODE_ENV=production requires, made fresh: the accounts signing key, the gateway's
 * credential secret, each subgraph's key derived from it, a tooling key.
 */
export async function productionEnv(): Promise<Record<string, string>> {
  const { exportPKCS8, generateKeyPair } = await import('jose');
  const jwt = await generateKeyPair('ES256', { extractable: true });
  const secret = randomBytes(32).toString('base64url');
  const derived = parseGatewayCredentialSecret(secret, 'prod-test-gateway');
  return {
    NODE_ENV: 'production',
    // the test databases hold the demo tenants: a demonstration in production, on purpose
    SEED_DEMO_DATA: 'on',
    JWT_PRIVATE_KEY: await exportPKCS8(jwt.privateKey),
    JWT_KEY_ID: 'prod-test-jwt',
    GATEWAY_CREDENTIAL_SECRET: secret,
    GATEWAY_CREDENTIAL_KEY_ID: derived.kid,
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [credentialKeysVariable(name), credentialKeysJson([subgraphCredentialKey(derived, name)])])),
    SUBGRAPH_TOOLING_KEY: `tooling-${'k'.repeat(40)}`,
  };
}
