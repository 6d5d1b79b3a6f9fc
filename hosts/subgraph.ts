// `npm run start:subgraph -- <name>`: one subgraph as its own process (distributed topology).
import { runStandalone } from '#platform/subgraph';
import { isSubgraphName, SUBGRAPH_NAMES } from '#contracts';
import { SUBGRAPHS } from './subgraphs.js';

const name = process.argv[2] ?? '';
if (!isSubgraphName(name)) {
  console.error(`usage: npm run start:subgraph -- <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}
const { config, definition } = await SUBGRAPHS[name].prepare(process.env, { standalone: true });
await runStandalone(config, definition);
