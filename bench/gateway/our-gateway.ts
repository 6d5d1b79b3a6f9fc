// Every reference bench/gateway makes to the project's own code is in this file, so that moving
// the gateway or the platform around means repointing these imports and nothing else.
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { startGateway } from '../../gateway/src/server.js';
import { createEventBus } from '#platform/events';
import { createLogger, startTracing } from '#platform/observability';

export interface RunningGateway {
  url: string;
  stop(): Promise<void>;
}

/** Our gateway as `npm run start:gateway` runs it (gateway/src/main.ts), on an in-process bus unless NATS_URL is set. */
export async function startOurGateway(env: Record<string, string | undefined>): Promise<RunningGateway> {
  const config = loadGatewayConfig(env);
  const tracing = startTracing({ service: 'gateway', config: config.telemetry });
  const logger = createLogger('gateway', config);
  const events = await createEventBus(config, logger.child({ service: 'bus' }));
  const gateway = await startGateway(config, logger, { events });
  return {
    url: gateway.url,
    async stop() {
      await gateway.stop();
      await events.close();
      await tracing.shutdown();
    },
  };
}

/** `npm start`: the six subgraphs on one PGlite and a gateway, in this process; it handles its own signals. */
export async function runEmbeddedStack(): Promise<void> {
  await import('../../hosts/embedded.js');
}
