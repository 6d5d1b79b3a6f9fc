import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Env, SubgraphConfig } from '#platform/config';
import { openEmbeddedPglite, type DatabaseTarget } from '#platform/db';
import { type EventBus, createEventBus, type RawSql } from '#platform/events';
import { createLogger, type Logger } from '#platform/observability';
import { startSubgraph, type RunningSubgraph, type PrismaLike } from '#platform/subgraph';
import { SUBGRAPHS } from './subgraphs.js';
import { derivedSubgraphKeys } from './credential-keys.js';
import { loadGatewayConfig, type GatewayConfig } from '../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../gateway/src/server.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';

export type AnySubgraph = RunningSubgraph<PrismaLike<RawSql>, RawSql>;

export interface Supergraph {
  gateway: RunningGateway;
  gatewayConfig: GatewayConfig;
  subgraphs: Record<SubgraphName, AnySubgraph>;
  bus: EventBus;
  pglite: PGlite | undefined;
  logger: Logger;
  /** Publishes every outbox and waits until consumers are done: the system is quiet after it. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface SupergraphOptions {
  env: Env;
  /** An already open PGlite to use for every subgraph without DATABASE_URL_<NAME> (tests pass a prepared one). */
  pglite?: PGlite;
  /** Ports: 0 picks free ones (tests); otherwise the configured ones. */
  ephemeralPorts?: boolean;
  /** Runs after the subgraphs are up and before the gateway starts (seeding). */
  beforeGateway?: (subgraphs: Record<SubgraphName, AnySubgraph>) => Promise<void>;
}

/**
 * The whole supergraph in one process: the six subgraphs (on one shared PGlite, each in its own
 * Postgres schema, or each on its own PostgreSQL database when DATABASE_URL_<NAME> is set), one
 * event bus, and the gateway in front.
 */
export async function startSupergraph(options: SupergraphOptions): Promise<Supergraph> {
  // one process: the subgraphs get their keys derived here from the gateway's secret when it is
  // configured (production), else each derives its own from the DATA_DIR dev secret
  const env = { ...options.env, ...derivedSubgraphKeys(options.env, loadGatewayConfig(options.env).edge.credential.secret) };
  const portOverride = options.ephemeralPorts ? { PORT: '0' } : {};
  const prepared = [];
  for (const name of SUBGRAPH_NAMES) {
    const { config, definition } = await SUBGRAPHS[name].prepare(env);
    prepared.push({ config: options.ephemeralPorts ? { ...config, port: 0 } : config, definition });
  }
  const common = prepared[0]!.config;
  const logger = createLogger('supergraph', common);
  const needsPglite = prepared.some(({ config }) => !config.databaseUrl);
  const pglite = options.pglite ?? (needsPglite ? await openEmbeddedPglite(join(common.dataDir, 'pglite')) : undefined);
  const ownsPglite = !options.pglite && pglite !== undefined;
  const bus = await createEventBus(common, logger.child({ service: 'bus' }));

  const targetOf = (config: SubgraphConfig): DatabaseTarget =>
    config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize } : { kind: 'pglite', pglite: pglite! };

  const started: AnySubgraph[] = [];
  try {
    // Migrations of subgraphs sharing one PGlite run one after the other.
    for (const { config, definition } of prepared) {
      started.push((await startSubgraph(definition, { config, logger: createLogger(config.name, config), database: targetOf(config), bus })) as unknown as AnySubgraph);
    }
    const accounts = started[0]!;
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<SubgraphName, AnySubgraph>;
    await options.beforeGateway?.(subgraphs);

    const gatewayConfig = loadGatewayConfig({
      ...env,
      ...portOverride,
      JWKS_URL: env.JWKS_URL ?? `http://localhost:${accounts.port}/.well-known/jwks.json`,
      ...Object.fromEntries(started.map((s) => [`SUBGRAPH_URL_${s.name.toUpperCase()}`, env[`SUBGRAPH_URL_${s.name.toUpperCase()}`] ?? `http://localhost:${s.port}/graphql`])),
    });
    const gateway = await startGateway(gatewayConfig, createLogger('gateway', gatewayConfig), { events: bus });

    // Every outbox's written and unpublished rows, in one string: equal twice around a drain with
    // nothing unpublished means no handler wrote an event meanwhile. (A relay woken by a commit may
    // publish between a drain and the look at the outboxes, so "nothing unpublished" alone is not quiet.)
    const outboxes = async () => {
      const counts = await Promise.all(
        started.map((s) =>
          s.runtime.db.$queryRawUnsafe<{ written: number; unpublished: number }[]>(
            `SELECT count(*)::int AS written, count(*) FILTER (WHERE "publishedAt" IS NULL)::int AS unpublished FROM "${s.name}"."OutboxEvent"`,
          ),
        ),
      );
      return { unpublished: counts.some((rows) => (rows[0]?.unpublished ?? 0) > 0), state: counts.map((rows) => `${rows[0]?.written}:${rows[0]?.unpublished}`).join(',') };
    };
    const settle = async () => {
      for (let round = 0; round < 50; round += 1) {
        for (const s of started) await s.relay.flush();
        await bus.drain();
        const before = await outboxes();
        if (before.unpublished) continue;
        await bus.drain();
        if ((await outboxes()).state === before.state) return;
      }
    };

    return {
      gateway,
      gatewayConfig,
      subgraphs,
      bus,
      pglite,
      logger,
      settle,
      async stop() {
        await gateway.stop();
        for (const s of [...started].reverse()) await s.stop();
        await bus.close();
        if (ownsPglite) await pglite!.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await bus.close().catch(() => undefined);
    if (ownsPglite) await pglite!.close().catch(() => undefined);
    throw error;
  }
}
