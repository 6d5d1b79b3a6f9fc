// One accounts process (distributed topology): `npm run start:subgraph -- accounts`.
import { runStandalone } from '../../kernel/src/standalone.js';
import { loadAccountsConfig } from './config.js';
import { accountsSubgraph } from './server.js';

const config = loadAccountsConfig(process.env, { standalone: true });
await runStandalone(config, await accountsSubgraph(config));
