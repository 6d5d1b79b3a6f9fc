// The gateway as its own process (distributed topology): `npm run start:gateway`.
import { createEventBus } from '#platform/events';
import { createLogger, startTracing } from '#platform/observability';
import { loadGatewayConfig } from './config.js';
import { limitHeapGrowth } from './heap-growth.js';
import { startGateway } from './server.js';

const config = loadGatewayConfig(process.env);
limitHeapGrowth(config.heapGrowingPercent);
const tracing = startTracing({ service: 'gateway', config: config.telemetry });
const logger = createLogger('gateway', config);
// live subscriptions hear every event from NATS (fan-out), so any number of gateways can hold sockets
const events = await createEventBus(config, logger.child({ service: 'bus' }));
const gateway = await startGateway(config, logger, { events });

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const { drainDelayMs, graceMs } = config.shutdown;
  logger.info({ signal, drainDelayMs, graceMs }, 'shutting down: /readyz answers 503, still serving while load balancers catch up');
  setTimeout(() => process.exit(1), drainDelayMs + graceMs + config.subscriptions.shutdownGraceMs + 5_000).unref();
  gateway.beginShutdown();
  await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
  logger.info('draining: no new connections, finishing requests and subscriptions in flight');
  await gateway.stop();
  await events.close();
  await tracing.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
