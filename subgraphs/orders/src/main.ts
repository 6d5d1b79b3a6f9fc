// One orders process (distributed topology): `npm run start:subgraph -- orders`.
import { runStandalone } from '../../kernel/src/standalone.js';
import { loadOrdersConfig } from './config.js';
import { ordersSubgraph } from './server.js';

await runStandalone(loadOrdersConfig(process.env, { standalone: true }), ordersSubgraph());
