import { join } from 'node:path';
import type { SubgraphConfig } from '../config/config.js';
import { openEmbeddedPglite, type DatabaseTarget } from '../db/database.js';
import { createEventBus } from '../events/create-bus.js';
import { createLogger } from '../observability/logger.js';
import { startSubgraph, type PrismaLike, type SubgraphDefinition } from './start-subgraph.js';
import type { ContextData } from './request-context.js';
import type { RawSql } from '../events/outbox.js';
import { startTracing } from '../observability/tracing.js';

/**
 * Runs one subgraph as its own process: PostgreSQL when DATABASE_URL_<NAME> is set (else a PGlite
 * of its own under DATA_DIR/<name>), NATS when NATS_URL is set; stops cleanly on SIGTERM/SIGINT.
 */
export async function runStandalone<TDb extends PrismaLike<TTx>, TTx extends RawSql, D extends ContextData, S>(
  config: SubgraphConfig,
  definition: SubgraphDefinition<TDb, TTx, D, S>,
): Promise<void> {
  const tracing = startTracing({ service: config.name, config: config.telemetry });
  const logger = createLogger(config.name, config);
  const pglite = config.databaseUrl ? undefined : await openEmbeddedPglite(join(config.dataDir, config.name));
  const database: DatabaseTarget = pglite
    ? { kind: 'pglite', pglite }
    : { kind: 'postgres', url: config.databaseUrl!, poolSize: config.dbPoolSize };
  const bus = await createEventBus(config, logger);
  const running = await startSubgraph(definition, { config, logger, database, bus });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { drainDelayMs, graceMs } = config.shutdown;
    logger.info({ signal, drainDelayMs, graceMs }, 'shutting down: /readyz answers 503, still serving while load balancers catch up');
    const force = setTimeout(() => process.exit(1), drainDelayMs + graceMs + 5_000).unref();
    running.beginShutdown();
    await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
    logger.info('draining: no new connections, finishing requests in flight');
    await running.stop();
    await bus.close();
    await pglite?.close();
    await tracing.shutdown();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
