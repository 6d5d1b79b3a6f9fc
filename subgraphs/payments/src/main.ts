// One payments process (distributed topology): `npm run start:subgraph -- payments`.
import { runStandalone } from '../../kernel/src/standalone.js';
import { loadPaymentsConfig } from './config.js';
import { paymentsSubgraph } from './server.js';

const config = loadPaymentsConfig(process.env, { standalone: true });
await runStandalone(config, paymentsSubgraph(config));
