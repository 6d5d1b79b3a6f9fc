// One catalog process (distributed topology): `npm run start:subgraph -- catalog`.
import { runStandalone } from '../../kernel/src/standalone.js';
import { loadCatalogConfig } from './config.js';
import { catalogSubgraph } from './server.js';

await runStandalone(loadCatalogConfig(process.env, { standalone: true }), catalogSubgraph());
