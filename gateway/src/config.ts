import { resolve } from 'node:path';
import { z } from 'zod';
import { loadCommonConfig, parseEnv, type CommonConfig, type Env, REPO_ROOT } from '#platform/config';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { loadEdgeConfig, type EdgeConfig } from './edge-config.js';

export interface GatewayConfig extends CommonConfig {
  port: number;
  supergraphPath: string;
  /** Where the accounts subgraph publishes its signing keys. */
  jwksUrl: string;
  jwt: { issuer: string; audience: string; clockToleranceSeconds: number };
  /** Per-subgraph URL overrides of the routing URLs in the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  subgraphTimeoutMs: number;
  /** Identical queries of one caller in flight at once share one subgraph request (SUBGRAPH_FETCH_MERGING). */
  mergeSubgraphFetches: boolean;
  maxBodyBytes: number;
  /** Credentials for subgraphs, operation and rate limits, trusted documents, CORS (edge-config.ts). */
  edge: EdgeConfig;
  /** The admin dashboard at /dashboard/ and GraphiQL at GET /graphql (gateway/src/http/browser-apps.ts). */
  browserApps: { dir: string; graphiql: boolean };
  /** Live subscriptions over graphql-ws (see docs/subscriptions.md). */
  subscriptions: {
    /** Events waiting for one socket before they are coalesced per entity; a socket still over it is closed. */
    queueLimit: number;
    /** Per-event executions (subgraph fetches) running at once in this process. */
    fetchConcurrency: number;
    /** Ping interval; a socket that misses a pong is dropped. */
    keepAliveMs: number;
    /** On shutdown, how long in-flight events may take to reach their sockets before they are closed. */
    shutdownGraceMs: number;
    /** Signed-in sockets one user may hold on this gateway process; one more is closed with 4430. */
    maxSocketsPerUser: number;
    /** Signed-in sockets one tenant may hold on this gateway process; one more is closed with 4431. */
    maxSocketsPerTenant: number;
    /** How often the JWKS is read to close sockets whose token's key was retired (4441); 0: never. */
    keyCheckMs: number;
  };
}

export function loadGatewayConfig(env: Env): GatewayConfig {
  const parsed = parseEnv(
    z.object({
      PORT: z.coerce.number().int().min(0).max(65535).default(4000),
      SUPERGRAPH_PATH: z.string().min(1).default(resolve(REPO_ROOT, 'schema/supergraph.graphql')),
      JWKS_URL: z.string().url().default('http://localhost:4001/.well-known/jwks.json'),
      JWT_ISSUER: z.string().min(1).default('supergraph-commerce'),
      JWT_AUDIENCE: z.string().min(1).default('supergraph-commerce'),
      JWT_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
      SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
      SUBGRAPH_FETCH_MERGING: z.enum(['on', 'off']).default('on'),
      MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(50_000_000).default(1_000_000),
      SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(256),
      SUBSCRIPTION_FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(32),
      SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
      SUBSCRIPTION_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
      SUBSCRIPTION_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(10),
      SUBSCRIPTION_MAX_SOCKETS_PER_TENANT: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
      SUBSCRIPTION_KEY_CHECK_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
      GRAPHIQL: z.enum(['on', 'off']).optional(),
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, z.string().url().optional()])),
    }),
    env,
  ) as Record<string, unknown>;
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = parsed[`SUBGRAPH_URL_${name.toUpperCase()}`];
    if (typeof url === 'string') subgraphUrls[name] = url;
  }
  return {
    ...loadCommonConfig(env),
    port: parsed.PORT as number,
    supergraphPath: resolve(parsed.SUPERGRAPH_PATH as string),
    jwksUrl: parsed.JWKS_URL as string,
    jwt: {
      issuer: parsed.JWT_ISSUER as string,
      audience: parsed.JWT_AUDIENCE as string,
      clockToleranceSeconds: parsed.JWT_CLOCK_TOLERANCE_SECONDS as number,
    },
    subgraphUrls,
    subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS as number,
    mergeSubgraphFetches: parsed.SUBGRAPH_FETCH_MERGING === 'on',
    maxBodyBytes: parsed.MAX_BODY_BYTES as number,
    edge: loadEdgeConfig(env, loadCommonConfig(env).env),
    browserApps: {
      dir: resolve(REPO_ROOT, 'dashboard/dist'),
      graphiql: parsed.GRAPHIQL === undefined ? loadCommonConfig(env).env !== 'production' : parsed.GRAPHIQL === 'on',
    },
    subscriptions: {
      queueLimit: parsed.SUBSCRIPTION_QUEUE_LIMIT as number,
      fetchConcurrency: parsed.SUBSCRIPTION_FETCH_CONCURRENCY as number,
      keepAliveMs: parsed.SUBSCRIPTION_KEEPALIVE_MS as number,
      shutdownGraceMs: parsed.SUBSCRIPTION_SHUTDOWN_GRACE_MS as number,
      maxSocketsPerUser: parsed.SUBSCRIPTION_MAX_SOCKETS_PER_USER as number,
      maxSocketsPerTenant: parsed.SUBSCRIPTION_MAX_SOCKETS_PER_TENANT as number,
      keyCheckMs: parsed.SUBSCRIPTION_KEY_CHECK_MS as number,
    },
  };
}
