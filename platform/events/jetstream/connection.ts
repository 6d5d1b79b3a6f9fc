import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../observability/logger.js';
import { errorMessage } from './error-message.js';
import type { JetStreamBusOptions } from './options.js';

/** Connects to one of the comma-separated servers; from then on the client reconnects forever. */
export function connectToNats(url: string, options: Pick<JetStreamBusOptions, 'connectionName' | 'reconnectTimeWaitMs'>): Promise<NatsConnection> {
  const servers = url.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return connect({
    servers,
    name: options.connectionName,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 1_000,
    pingInterval: 20_000,
    maxPingOut: 3,
    // no Error (with its stack) made ahead of every request in case it fails: each JetStream publish
    // is a request, and those two stacks were 1–2 % of a subgraph's CPU; errors still say what failed
    noAsyncTraces: true,
  });
}

/** Logs what happens to the connection (disconnects, reconnects, errors) until it closes. */
export async function watchConnection(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case 'disconnect':
        logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
        break;
      case 'reconnecting':
        logger.debug('NATS reconnecting');
        break;
      case 'reconnect':
        logger.info({ server: status.server }, 'NATS reconnected');
        break;
      case 'staleConnection':
        logger.warn('NATS connection is stale');
        break;
      case 'ldm':
        logger.warn({ server: status.server }, 'NATS server entering lame duck mode');
        break;
      case 'slowConsumer':
        logger.warn({ subject: status.sub.getSubject(), pending: status.pending }, 'NATS slow consumer');
        break;
      case 'error':
        logger.error({ err: errorMessage(status.error) }, 'NATS error');
        break;
      case 'close':
        logger.info('NATS connection closed');
        break;
      default:
        break;
    }
  }
}

type Version = [number, number, number];

function parseVersion(version: string | undefined): Version {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  return parts ? [Number(parts[1]), Number(parts[2]), Number(parts[3])] : [0, 0, 0];
}

function atLeast(version: Version, minimum: Version): boolean {
  for (let i = 0; i < 3; i += 1) {
    if (version[i]! !== minimum[i]!) return version[i]! > minimum[i]!;
  }
  return true;
}

/** nats-server 2.10 gave consumers several filter subjects; before it a consumer has one. */
export function supportsMultipleFilters(nc: NatsConnection): boolean {
  return atLeast(parseVersion(nc.info?.version), [2, 10, 0]);
}
