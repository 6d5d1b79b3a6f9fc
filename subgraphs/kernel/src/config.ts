import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultPort, type SubgraphName } from './names.js';

export type Env = Record<string, string | undefined>;
export type RuntimeEnv = 'development' | 'test' | 'production';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const port = z.coerce.number().int().min(0).max(65535);

const common = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: logLevel.optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  NATS_URL: z.string().url().optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
});

/** What every process shares: environment, logging, where data lives, the event bus. */
export interface CommonConfig {
  env: RuntimeEnv;
  logLevel: z.infer<typeof logLevel>;
  dataDir: string;
  host: string;
  natsUrl: string | undefined;
  dbPoolSize: number;
  outboxPollMs: number;
}

/** Config of one subgraph process (or of one subgraph inside the embedded process). */
export interface SubgraphConfig extends CommonConfig {
  name: SubgraphName;
  port: number;
  /** PostgreSQL URL of this subgraph's own database; embedded PGlite when absent. */
  databaseUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(issues: string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses with zod and turns its issues into one readable error naming each variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

export function loadCommonConfig(env: Env): CommonConfig {
  const parsed = parseEnv(common, env);
  return {
    env: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL ?? (parsed.NODE_ENV === 'test' ? 'silent' : 'info'),
    dataDir: resolve(parsed.DATA_DIR),
    host: parsed.HOST,
    natsUrl: parsed.NATS_URL,
    dbPoolSize: parsed.DB_POOL_SIZE,
    outboxPollMs: parsed.OUTBOX_POLL_MS,
  };
}

/**
 * `DATABASE_URL_<NAME>` selects PostgreSQL for a subgraph; `<NAME>_PORT` its port.
 * A process that runs one subgraph alone may use plain `PORT` instead.
 */
export function loadSubgraphConfig(name: SubgraphName, env: Env, options: { standalone?: boolean } = {}): SubgraphConfig {
  const upper = name.toUpperCase();
  const own = parseEnv(
    z.object({
      [`DATABASE_URL_${upper}`]: z.string().url().optional(),
      [`${upper}_PORT`]: port.optional(),
      PORT: port.optional(),
    }),
    env,
  ) as Record<string, string | number | undefined>;
  const chosenPort = (options.standalone ? own.PORT : undefined) ?? own[`${upper}_PORT`] ?? defaultPort(name);
  return {
    ...loadCommonConfig(env),
    name,
    port: Number(chosenPort),
    databaseUrl: own[`DATABASE_URL_${upper}`] as string | undefined,
  };
}
