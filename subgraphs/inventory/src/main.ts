// One inventory process (distributed topology): `npm run start:subgraph -- inventory`.
import { runStandalone } from '../../kernel/src/standalone.js';
import { loadInventoryConfig } from './config.js';
import { inventorySubgraph } from './server.js';

await runStandalone(loadInventoryConfig(process.env, { standalone: true }), inventorySubgraph());
