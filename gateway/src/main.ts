// The gateway as its own process (distributed topology): `npm run start:gateway`.
import { createLogger } from '../../subgraphs/kernel/src/logger.js';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';

const config = loadGatewayConfig(process.env);
const logger = createLogger('gateway', config);
const gateway = await startGateway(config, logger);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), 15_000).unref();
  await gateway.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
