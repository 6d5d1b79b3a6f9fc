// One shipping process (distributed topology): `npm run start:subgraph -- shipping`.
import { runStandalone } from '../../kernel/src/standalone.js';
import { loadShippingConfig } from './config.js';
import { shippingSubgraph } from './server.js';

await runStandalone(loadShippingConfig(process.env, { standalone: true }), shippingSubgraph());
