// `npm run start:subgraph -- <name>`: one subgraph as its own process (distributed topology).
import { runStandalone } from '#platform/subgraph';
import { isSubgraphName, SUBGRAPH_NAMES } from '#contracts';
import { SUBGRAPHS } from './subgraphs.js';
import { DemoAccountsInProductionError } from './demo-data-policy.js';

const name = process.argv[2] ?? '';
if (!isSubgraphName(name)) {
  console.error(`usage: npm run start:subgraph -- <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}
const { config, definition } = await SUBGRAPHS[name].prepare(process.env, { standalone: true });
await runStandalone(config, definition).catch((error: unknown) => {
  if (!(error instanceof DemoAccountsInProductionError)) throw error;
  console.error(error.message);
  process.exit(1);
});
