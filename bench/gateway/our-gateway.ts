// Every reference bench/gateway makes to the project's own code is in this file, so that moving
// the gateway or the platform around means repointing these imports and nothing else.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { limitHeapGrowth } from '../../gateway/src/heap-growth.js';
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
  limitHeapGrowth(config.heapGrowingPercent);
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

/** How our gateway process starts: npm run build's dist/gateway.js on node (production), or --source under tsx. */
export interface OurGatewayEntry {
  script: string;
  args: string[];
  ready: string;
}

/**
 * Our gateway as production runs it: `npm run build`'s dist/gateway.js on plain node (no tsx, no
 * source-mapped stacks). Built afresh, so it is never older than the sources. It logs `gateway ready`.
 */
export function buildOurGateway(): OurGatewayEntry {
  const root = resolve(import.meta.dirname, '../..');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  return { script: resolve(root, 'dist/gateway.js'), args: [], ready: 'gateway ready' };
}
