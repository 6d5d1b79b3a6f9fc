import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Env } from '../../subgraphs/kernel/src/config.js';
import { openEmbeddedPglite, type DatabaseTarget } from '../../subgraphs/kernel/src/db/database.js';
import type { EventBus } from '../../subgraphs/kernel/src/events/bus.js';
import { createEventBus } from '../../subgraphs/kernel/src/events/create-bus.js';
import { createLogger, type Logger } from '../../subgraphs/kernel/src/logger.js';
import type { SubgraphConfig } from '../../subgraphs/kernel/src/config.js';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kernel/src/subgraph.js';
import { loadAccountsConfig } from '../../subgraphs/accounts/src/config.js';
import { accountsSubgraph } from '../../subgraphs/accounts/src/server.js';
import { loadCatalogConfig } from '../../subgraphs/catalog/src/config.js';
import { catalogSubgraph } from '../../subgraphs/catalog/src/server.js';
import { loadInventoryConfig } from '../../subgraphs/inventory/src/config.js';
import { inventorySubgraph } from '../../subgraphs/inventory/src/server.js';
import { loadOrdersConfig } from '../../subgraphs/orders/src/config.js';
import { ordersSubgraph } from '../../subgraphs/orders/src/server.js';
import { loadPaymentsConfig } from '../../subgraphs/payments/src/config.js';
import { paymentsSubgraph } from '../../subgraphs/payments/src/server.js';
import { loadShippingConfig } from '../../subgraphs/shipping/src/config.js';
import { shippingSubgraph } from '../../subgraphs/shipping/src/server.js';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { startGateway, type RunningGateway } from './server.js';
import type { SubgraphName } from '../../subgraphs/kernel/src/names.js';
import type { RawSql } from '../../subgraphs/kernel/src/events/outbox.js';
import type { PrismaLike } from '../../subgraphs/kernel/src/subgraph.js';

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
  const env = options.env;
  const portOverride = options.ephemeralPorts ? { PORT: '0' } : {};
  const withPort = <C extends SubgraphConfig>(config: C): C => (options.ephemeralPorts ? { ...config, port: 0 } : config);
  const accountsConfig = withPort(loadAccountsConfig(env));
  const logger = createLogger('supergraph', accountsConfig);
  const needsPglite = (['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'] as const).some((n) => !env[`DATABASE_URL_${n.toUpperCase()}`]);
  const pglite = options.pglite ?? (needsPglite ? await openEmbeddedPglite(join(accountsConfig.dataDir, 'pglite')) : undefined);
  const ownsPglite = !options.pglite && pglite !== undefined;
  const bus = await createEventBus(accountsConfig, logger.child({ service: 'bus' }));

  const targetOf = (config: SubgraphConfig): DatabaseTarget =>
    config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize } : { kind: 'pglite', pglite: pglite! };
  const start = async <C extends SubgraphConfig>(config: C, definition: Parameters<typeof startSubgraph>[0]) =>
    (await startSubgraph(definition, { config, logger: createLogger(config.name, config), database: targetOf(config), bus })) as unknown as AnySubgraph;

  const started: AnySubgraph[] = [];
  try {
    const catalogConfig = withPort(loadCatalogConfig(env));
    const inventoryConfig = withPort(loadInventoryConfig(env));
    const ordersConfig = withPort(loadOrdersConfig(env));
    const paymentsConfig = withPort(loadPaymentsConfig(env));
    const shippingConfig = withPort(loadShippingConfig(env));
    // Migrations of subgraphs sharing one PGlite run one after the other; the rest can overlap.
    const accounts = await start(accountsConfig, (await accountsSubgraph(accountsConfig)) as never);
    started.push(accounts);
    for (const [config, definition] of [
      [catalogConfig, catalogSubgraph()],
      [inventoryConfig, inventorySubgraph()],
      [ordersConfig, ordersSubgraph()],
      [paymentsConfig, paymentsSubgraph(paymentsConfig)],
      [shippingConfig, shippingSubgraph()],
    ] as const) {
      started.push(await start(config, definition as never));
    }
    const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Record<SubgraphName, AnySubgraph>;
    await options.beforeGateway?.(subgraphs);

    const gatewayConfig = loadGatewayConfig({
      ...env,
      ...portOverride,
      JWKS_URL: env.JWKS_URL ?? `http://localhost:${accounts.port}/.well-known/jwks.json`,
      ...Object.fromEntries(started.map((s) => [`SUBGRAPH_URL_${s.name.toUpperCase()}`, env[`SUBGRAPH_URL_${s.name.toUpperCase()}`] ?? `http://localhost:${s.port}/graphql`])),
    });
    const gateway = await startGateway(gatewayConfig, createLogger('gateway', gatewayConfig), { events: bus });

    const settle = async () => {
      for (let round = 0; round < 20; round += 1) {
        for (const s of started) await s.relay.flush();
        await bus.drain();
        const pending = await Promise.all(
          started.map((s) => s.runtime.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${s.name}"."OutboxEvent" WHERE "publishedAt" IS NULL`)),
        );
        if (pending.every((rows) => (rows[0]?.n ?? 0) === 0)) return;
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
