import { z } from 'zod';
import { parseEnv, type Env, loadSubgraphConfig } from '#platform/config';
import { defaultPort, SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { derivedSubgraphKeys } from '../credential-keys.js';
import { processEnvOf } from '../process-env.js';

export interface DistributedConfig {
  /** The environment: the caller's, with the defaults below filled in. */
  env: Record<string, string>;
  /**
   * What each child process gets of it (process-env.ts): the gateway the credential secret and Redis,
   * no database URL and no signing key; each subgraph its own database URL and key, accounts also
   * the user-token signing key.
   */
  processEnv: Record<'gateway' | SubgraphName, Record<string, string>>;
  host: string;
  dataDir: string;
  gateway: { port: number };
  subgraphs: Record<SubgraphName, { port: number; databaseUrl: string }>;
  natsUrl: string;
  redisUrl: string;
  /** How long one service may take to answer /readyz. */
  readyTimeoutMs: number;
}

/** The machine's local services, which `npm run start:distributed` uses unless told otherwise. */
export const LOCAL_DEFAULTS = {
  postgres: 'postgresql://postgres@127.0.0.1:5432',
  nats: 'nats://127.0.0.1:4222',
  redis: 'redis://127.0.0.1:6379',
};

/**
 * `npm run start:distributed`: DATABASE_URL_<NAME> (default: a database sc_<name> on the local
 * PostgreSQL), NATS_URL, REDIS_URL, <NAME>_PORT for subgraphs and PORT for the gateway (4001..4006,
 * 4000), HOST, DATA_DIR, DISTRIBUTED_READY_TIMEOUT_MS.
 */
export function loadDistributedConfig(input: Env): DistributedConfig {
  const own = parseEnv(
    z.object({
      NATS_URL: z.string().url().default(LOCAL_DEFAULTS.nats),
      REDIS_URL: z.string().url().default(LOCAL_DEFAULTS.redis),
      DISTRIBUTED_READY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(90_000),
    }),
    input,
  );
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) env[key] = value;
  env.NATS_URL = own.NATS_URL;
  env.REDIS_URL = own.REDIS_URL;
  for (const name of SUBGRAPH_NAMES) env[`DATABASE_URL_${name.toUpperCase()}`] ??= `${LOCAL_DEFAULTS.postgres}/sc_${name}`;

  const gateway = loadGatewayConfig(env);
  // with a configured secret (production) each subgraph gets its key derived here; in development
  // every process derives from the DATA_DIR dev secret
  Object.assign(env, derivedSubgraphKeys(env, gateway.edge.credential.secret));
  const processEnv = { gateway: processEnvOf('gateway', env) } as DistributedConfig['processEnv'];
  const subgraphs = {} as DistributedConfig['subgraphs'];
  for (const name of SUBGRAPH_NAMES) {
    processEnv[name] = processEnvOf(name, env);
    const config = loadSubgraphConfig(name, processEnv[name], { defaultPort: defaultPort(name) });
    subgraphs[name] = { port: config.port, databaseUrl: config.databaseUrl! };
  }
  return {
    env,
    processEnv,
    host: gateway.host,
    dataDir: gateway.dataDir,
    gateway: { port: gateway.port },
    subgraphs,
    natsUrl: own.NATS_URL,
    redisUrl: own.REDIS_URL,
    readyTimeoutMs: own.DISTRIBUTED_READY_TIMEOUT_MS,
  };
}
