import { resolve } from 'node:path';
import { z } from 'zod';
import { loadCommonConfig, parseEnv, type CommonConfig, type Env, REPO_ROOT } from '#platform/config';
import { isSubgraphName, SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
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
  /** How the gateway copes with a failing subgraph (gateway/src/subgraph-fetch/resilience/). */
  resilience: ResilienceConfig;
  maxBodyBytes: number;
  /**
   * V8's old-generation growth after each full collection, in per cent of what survived it
   * (GATEWAY_HEAP_GROWING_PERCENT; 0 leaves V8's own factor, up to 300 % on a large machine).
   */
  heapGrowingPercent: number;
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

export interface ResilienceConfig {
  /** Per subgraph: SUBGRAPH_TIMEOUT_MS_<NAME>, else SUBGRAPH_TIMEOUT_MS. */
  timeoutMs: Record<SubgraphName, number>;
  /** Fetches in flight to one subgraph; more wait in a queue, for at most the subgraph's timeout. */
  maxConcurrency: number;
  /** Fetches that may wait for one subgraph; more are refused at once (SUBGRAPH_UNAVAILABLE). */
  maxQueue: number;
  /** Retries of a query fetch that could not connect, with jittered backoff (mutations never). */
  retries: number;
  breaker: {
    /** Consecutive failed fetches (no connection, timeout) that open the circuit. */
    consecutiveFailures: number;
    /** Also opens when at least this share (%) of the last 10 s's fetches failed, over at least `consecutiveFailures` fetches. */
    errorPercentage: number;
    /** How long the circuit stays open before one probe fetch is let through (half-open). */
    resetMs: number;
  };
  /** How often the gateway asks each subgraph's /readyz, and how long it waits for the answer. */
  healthIntervalMs: number;
  healthTimeoutMs: number;
  /** Subgraphs without which the gateway reports itself not ready (none by default). */
  requiredSubgraphs: SubgraphName[];
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
      SUBGRAPH_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(64),
      SUBGRAPH_MAX_QUEUE: z.coerce.number().int().min(0).max(100_000).optional(),
      SUBGRAPH_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
      SUBGRAPH_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
      SUBGRAPH_BREAKER_ERROR_PERCENTAGE: z.coerce.number().min(1).max(100).default(50),
      SUBGRAPH_BREAKER_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
      SUBGRAPH_HEALTH_INTERVAL_MS: z.coerce.number().int().min(250).max(600_000).default(5_000),
      SUBGRAPH_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
      GATEWAY_REQUIRED_SUBGRAPHS: z
        .string()
        .default('')
        .transform((value) => value.split(',').map((n) => n.trim()).filter(Boolean))
        .refine((names) => names.every(isSubgraphName), { message: `names subgraphs: ${SUBGRAPH_NAMES.join(', ')}` }),
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`SUBGRAPH_TIMEOUT_MS_${n.toUpperCase()}`, z.coerce.number().int().min(100).max(120_000).optional()])),
      MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(50_000_000).default(1_000_000),
      GATEWAY_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(1_000).default(50),
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
  const common = loadCommonConfig(env);
  return {
    ...common,
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
    resilience: {
      timeoutMs: Object.fromEntries(
        SUBGRAPH_NAMES.map((n) => [n, (parsed[`SUBGRAPH_TIMEOUT_MS_${n.toUpperCase()}`] as number | undefined) ?? (parsed.SUBGRAPH_TIMEOUT_MS as number)]),
      ) as Record<SubgraphName, number>,
      maxConcurrency: parsed.SUBGRAPH_MAX_CONCURRENCY as number,
      maxQueue: (parsed.SUBGRAPH_MAX_QUEUE as number | undefined) ?? 2 * (parsed.SUBGRAPH_MAX_CONCURRENCY as number),
      retries: parsed.SUBGRAPH_RETRIES as number,
      breaker: {
        consecutiveFailures: parsed.SUBGRAPH_BREAKER_FAILURES as number,
        errorPercentage: parsed.SUBGRAPH_BREAKER_ERROR_PERCENTAGE as number,
        resetMs: parsed.SUBGRAPH_BREAKER_RESET_MS as number,
      },
      healthIntervalMs: parsed.SUBGRAPH_HEALTH_INTERVAL_MS as number,
      healthTimeoutMs: parsed.SUBGRAPH_HEALTH_TIMEOUT_MS as number,
      requiredSubgraphs: parsed.GATEWAY_REQUIRED_SUBGRAPHS as SubgraphName[],
    },
    maxBodyBytes: parsed.MAX_BODY_BYTES as number,
    heapGrowingPercent: parsed.GATEWAY_HEAP_GROWING_PERCENT as number,
    edge: loadEdgeConfig(env, common.env),
    browserApps: {
      dir: resolve(REPO_ROOT, 'dashboard/dist'),
      graphiql: parsed.GRAPHIQL === undefined ? common.env !== 'production' : parsed.GRAPHIQL === 'on',
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
