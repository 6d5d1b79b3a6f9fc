import { resolve } from 'node:path';
import { z } from 'zod';
import { parseGatewayCredentialSecret, type GatewayCredentialSecret } from '#platform/auth';
import { ConfigError, parseEnv, type Env, type RuntimeEnv, REPO_ROOT } from '#platform/config';

/** A token bucket: `capacity` requests at once, refilled at `capacity` per `windowSeconds`. */
export interface Rate {
  capacity: number;
  windowSeconds: number;
}

/** What the gateway enforces at the edge; part of GatewayConfig (see SECURITY.md for each setting). */
export interface EdgeConfig {
  /** The secret every subgraph's credential key is derived from (the DATA_DIR dev secret when absent), and the credentials' lifetime. */
  credential: { secret: GatewayCredentialSecret | undefined; ttlSeconds: number };
  limits: { maxDepth: number; maxAliases: number; maxDirectives: number; maxTokens: number; maxCost: number; maxBatchSize: number };
  /** Null turns a limit off. */
  rateLimits: { user: Rate | null; tenant: Rate | null; anonymous: Rate | null; loginAddress: Rate | null; loginAccount: Rate | null };
  /** Rate limits, revoked sessions and APQ are shared through Redis when set; in memory otherwise. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key the edge writes, so deployments can share one Redis. */
  redisKeyPrefix: string;
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for the client address. */
  trustProxy: string | false;
  /** `enforce`: only operations of the manifest run; `off`: any operation, with automatic persisted queries. */
  trustedDocuments: { mode: 'off' | 'enforce'; manifestPath: string };
  /** Origins browsers may call from; none is allowed when empty. */
  corsOrigins: string[];
}

const UNITS = { s: 1, m: 60, h: 3600 } as const;

/** A rate as "<requests>/<window>", e.g. "600/60s" or "10/5m"; "off" turns it off. */
const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): Rate | null => {
      if (value === 'off') return null;
      const match = /^(\d+)\/(\d+)([smh])$/.exec(value.trim());
      const capacity = Number(match?.[1]);
      const windowSeconds = Number(match?.[2]) * UNITS[(match?.[3] ?? 's') as keyof typeof UNITS];
      if (!match || capacity < 1 || windowSeconds < 1) {
        ctx.addIssue({ code: 'custom', message: 'expected "<requests>/<window>" like "600/60s" or "10/5m", or "off"' });
        return z.NEVER;
      }
      return { capacity, windowSeconds };
    });

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export function loadEdgeConfig(env: Env, runtime: RuntimeEnv): EdgeConfig {
  const parsed = parseEnv(
    z.object({
      GATEWAY_CREDENTIAL_SECRET: z.string().min(1).optional(),
      GATEWAY_CREDENTIAL_KEY_ID: z.string().min(1).max(200).optional(),
      GATEWAY_CREDENTIAL_TTL_SECONDS: count(5, 300, 30),
      MAX_DEPTH: count(1, 100, 10),
      MAX_ALIASES: count(0, 1_000, 15),
      MAX_DIRECTIVES: count(0, 1_000, 10),
      MAX_TOKENS: count(10, 100_000, 2_000),
      MAX_COST: count(1, 10_000_000, 50_000),
      MAX_BATCH_SIZE: count(1, 100, 10),
      RATE_LIMIT_USER: rate('600/60s'),
      RATE_LIMIT_TENANT: rate('6000/60s'),
      RATE_LIMIT_ANONYMOUS: rate('300/60s'),
      RATE_LIMIT_LOGIN_ADDRESS: rate('30/60s'),
      RATE_LIMIT_LOGIN_ACCOUNT: rate('10/5m'),
      REDIS_URL: z.string().url().optional(),
      REDIS_KEY_PREFIX: z.string().min(1).max(100).default('sc:edge:'),
      TRUST_PROXY: z.string().min(1).optional(),
      TRUSTED_DOCUMENTS: z.enum(['off', 'enforce']).optional(),
      TRUSTED_DOCUMENTS_PATH: z.string().min(1).default(resolve(REPO_ROOT, 'schema/trusted-documents.json')),
      CORS_ORIGINS: z.string().default(''),
    }),
    env,
  );
  if (runtime === 'production' && !parsed.GATEWAY_CREDENTIAL_SECRET) {
    throw new ConfigError(['GATEWAY_CREDENTIAL_SECRET: required in production (the secret subgraph credential keys are derived from; npm run keys:generate writes it)']);
  }
  let secret: GatewayCredentialSecret | undefined;
  try {
    secret = parsed.GATEWAY_CREDENTIAL_SECRET ? parseGatewayCredentialSecret(parsed.GATEWAY_CREDENTIAL_SECRET, parsed.GATEWAY_CREDENTIAL_KEY_ID) : undefined;
  } catch (error) {
    throw new ConfigError([`GATEWAY_CREDENTIAL_SECRET: ${(error as Error).message}`]);
  }
  const origins = parsed.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  const badOrigin = origins.find((o) => !/^https?:\/\/[^/\s]+$/.test(o));
  if (badOrigin) throw new ConfigError([`CORS_ORIGINS: "${badOrigin}" is not an origin like https://shop.example.com`]);
  return {
    credential: { secret, ttlSeconds: parsed.GATEWAY_CREDENTIAL_TTL_SECONDS },
    limits: {
      maxDepth: parsed.MAX_DEPTH,
      maxAliases: parsed.MAX_ALIASES,
      maxDirectives: parsed.MAX_DIRECTIVES,
      maxTokens: parsed.MAX_TOKENS,
      maxCost: parsed.MAX_COST,
      maxBatchSize: parsed.MAX_BATCH_SIZE,
    },
    rateLimits: {
      user: parsed.RATE_LIMIT_USER,
      tenant: parsed.RATE_LIMIT_TENANT,
      anonymous: parsed.RATE_LIMIT_ANONYMOUS,
      loginAddress: parsed.RATE_LIMIT_LOGIN_ADDRESS,
      loginAccount: parsed.RATE_LIMIT_LOGIN_ACCOUNT,
    },
    redisUrl: parsed.REDIS_URL,
    redisKeyPrefix: parsed.REDIS_KEY_PREFIX,
    trustProxy: parsed.TRUST_PROXY ?? false,
    trustedDocuments: {
      mode: parsed.TRUSTED_DOCUMENTS ?? (runtime === 'production' ? 'enforce' : 'off'),
      manifestPath: resolve(parsed.TRUSTED_DOCUMENTS_PATH),
    },
    corsOrigins: origins,
  };
}
