import { resolve } from 'node:path';
import { z } from 'zod';
import type { JWK } from 'jose';
import { credentialKeysVariable, parseCredentialKeys, type CredentialKey } from '../auth/gateway-keys.js';

export type Env = Record<string, string | undefined>;
export type RuntimeEnv = 'development' | 'test' | 'production';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const port = z.coerce.number().int().min(0).max(65535);

/** `k=v,k2=v2` (values percent-encoded), as OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS are written. */
const keyValueList = z.string().transform((value, ctx) => {
  const pairs: Record<string, string> = {};
  for (const item of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not key=value` });
      return z.NEVER;
    }
    pairs[item.slice(0, at).trim()] = decodeURIComponent(item.slice(at + 1).trim());
  }
  return pairs;
});

/** The standard OpenTelemetry SDK variables this project reads (see OPERATIONS.md). */
const telemetryEnv = {
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList.optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList.optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList.optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
};

export interface TelemetryConfig {
  /** Where spans go: `none` (the default without an OTLP endpoint) turns tracing off. */
  exporter: 'otlp' | 'console' | 'none';
  /** Overrides the process's own service name (`gateway`, `orders`, ...). */
  serviceName: string | undefined;
  resourceAttributes: Record<string, string>;
  otlp: { tracesUrl: string; headers: Record<string, string> };
  sampler: { kind: z.infer<typeof telemetryEnv.OTEL_TRACES_SAMPLER>; ratio: number };
}

function telemetryConfigOf(env: z.infer<z.ZodObject<typeof telemetryEnv>>): TelemetryConfig {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${endpoint ?? 'http://localhost:4318'}/v1/traces`;
  const configured = env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || endpoint ? 'otlp' : 'none');
  return {
    exporter: env.OTEL_SDK_DISABLED === 'true' ? 'none' : configured,
    serviceName: env.OTEL_SERVICE_NAME,
    resourceAttributes: env.OTEL_RESOURCE_ATTRIBUTES ?? {},
    otlp: { tracesUrl, headers: { ...env.OTEL_EXPORTER_OTLP_HEADERS, ...env.OTEL_EXPORTER_OTLP_TRACES_HEADERS } },
    sampler: { kind: env.OTEL_TRACES_SAMPLER, ratio: env.OTEL_TRACES_SAMPLER_ARG ?? 1 },
  };
}

const common = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: logLevel.optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  NATS_URL: z.string().url().optional(),
  /** Prefixes the JetStream streams and subjects, so several deployments (or test runs) can share one NATS. */
  NATS_NAMESPACE: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only').optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** The published demo data: seeded into fresh databases when on (default off in production, on otherwise). */
  SEED_DEMO_DATA: z.preprocess((value) => (value === '' ? undefined : value), z.enum(['on', 'off']).optional()),
  /** Events a consumer applies in one transaction at most (1: one transaction per event). */
  EVENT_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(32),
  /** Published outbox events are kept this many hours (0: for ever), for replays. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(0).max(87_600).default(168),
  /** Consumed event ids are kept this many hours (0: for ever): a delivery of an event older than that would apply again. */
  INBOX_RETENTION_HOURS: z.coerce.number().int().min(0).max(87_600).default(168),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  READINESS_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  ...telemetryEnv,
});

/** What every process shares: environment, logging, where data lives, the event bus. */
export interface CommonConfig {
  env: RuntimeEnv;
  logLevel: z.infer<typeof logLevel>;
  dataDir: string;
  host: string;
  natsUrl: string | undefined;
  natsNamespace: string | undefined;
  dbPoolSize: number;
  outboxPollMs: number;
  /**
   * The demo data (published logins): `seed` into fresh databases (SEED_DEMO_DATA; off in production
   * unless set to on); `onPurpose` when SEED_DEMO_DATA=on was set, the one way it may exist in production.
   */
  demoData: { seed: boolean; onPurpose: boolean };
  eventBatchSize: number;
  /** How long the outbox keeps published events and the inbox consumed ids (hours, 0: for ever), and how often it is enforced. */
  retention: { outboxHours: number; inboxHours: number; intervalMs: number };
  /** SIGTERM: /readyz answers 503 at once and requests are still served for `drainDelayMs` (load
   * balancers stop sending meanwhile), then the listener closes and in-flight requests get `graceMs`. */
  shutdown: { drainDelayMs: number; graceMs: number };
  /** How long one readiness check (a subgraph's database) may take before /readyz calls it failed. */
  readinessCheckTimeoutMs: number;
  /** Traces (OpenTelemetry, standard OTEL_* variables): off unless an exporter is configured. */
  telemetry: TelemetryConfig;
}

/** Config of one subgraph process (or of one subgraph inside the embedded process). */
export interface SubgraphConfig extends CommonConfig {
  name: string;
  port: number;
  /** PostgreSQL URL of this subgraph's own database; embedded PGlite when absent. */
  databaseUrl: string | undefined;
  /** Whom the subgraph answers (see auth/gateway-credential.ts). */
  gatewayTrust: {
    /** This subgraph's own credential keys (current and, while rotating, previous); derived from the DATA_DIR dev secret when absent. */
    credentialKeys: CredentialKey[] | undefined;
    /** Key composition tooling sends to read `_service`; generated into DATA_DIR outside production when absent. */
    toolingKey: string | undefined;
  };
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
    natsNamespace: parsed.NATS_NAMESPACE,
    dbPoolSize: parsed.DB_POOL_SIZE,
    outboxPollMs: parsed.OUTBOX_POLL_MS,
    demoData: { seed: parsed.SEED_DEMO_DATA ? parsed.SEED_DEMO_DATA === 'on' : parsed.NODE_ENV !== 'production', onPurpose: parsed.SEED_DEMO_DATA === 'on' },
    eventBatchSize: parsed.EVENT_BATCH_SIZE,
    retention: { outboxHours: parsed.OUTBOX_RETENTION_HOURS, inboxHours: parsed.INBOX_RETENTION_HOURS, intervalMs: parsed.RETENTION_INTERVAL_MS },
    shutdown: {
      drainDelayMs: parsed.SHUTDOWN_DRAIN_DELAY_MS ?? (parsed.NODE_ENV === 'production' ? 5_000 : 0),
      graceMs: parsed.SHUTDOWN_GRACE_MS,
    },
    readinessCheckTimeoutMs: parsed.READINESS_CHECK_TIMEOUT_MS,
    telemetry: telemetryConfigOf(parsed),
  };
}

/** A JWKS of public keys as one line of JSON (`{"keys":[...]}`), e.g. accounts' retired token keys. */
export const jwksJson = z
  .string()
  .transform((value, ctx) => {
    try {
      const parsed = JSON.parse(value) as { keys?: unknown };
      if (Array.isArray(parsed.keys) && parsed.keys.length > 0 && parsed.keys.every((k) => typeof k === 'object' && k !== null && !('d' in k))) {
        return parsed.keys as JWK[];
      }
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'expected a JWKS of public keys: {"keys":[{...}]}' });
    return z.NEVER;
  });

/** A subgraph's gateway credential keys: a JWK Set of symmetric keys (see auth/gateway-keys.ts). */
const credentialKeys = z.string().transform((value, ctx) => {
  try {
    return parseCredentialKeys(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * `DATABASE_URL_<NAME>` selects PostgreSQL for a subgraph; `<NAME>_PORT` its port.
 * A process that runs one subgraph alone may use plain `PORT` instead.
 */
export function loadSubgraphConfig(name: string, env: Env, options: { defaultPort: number; standalone?: boolean }): SubgraphConfig {
  const upper = name.toUpperCase();
  const own = parseEnv(
    z.object({
      [`DATABASE_URL_${upper}`]: z.string().url().optional(),
      [`${upper}_PORT`]: port.optional(),
      PORT: port.optional(),
      [credentialKeysVariable(name)]: credentialKeys.optional(),
      SUBGRAPH_TOOLING_KEY: z.string().min(32).optional(),
    }),
    env,
  ) as Record<string, unknown>;
  const chosenPort = (options.standalone ? own.PORT : undefined) ?? own[`${upper}_PORT`] ?? options.defaultPort;
  const common = loadCommonConfig(env);
  if (common.env === 'production' && !own[credentialKeysVariable(name)]) {
    throw new ConfigError([`${credentialKeysVariable(name)}: required in production (this subgraph's gateway credential key; npm run keys:generate writes it)`]);
  }
  return {
    ...common,
    name,
    port: Number(chosenPort),
    databaseUrl: own[`DATABASE_URL_${upper}`] as string | undefined,
    gatewayTrust: {
      credentialKeys: own[credentialKeysVariable(name)] as CredentialKey[] | undefined,
      toolingKey: own.SUBGRAPH_TOOLING_KEY as string | undefined,
    },
  };
}
