// `npm run start:subgraph -- <name>`: runs one subgraph in this process.
import { isSubgraphName, SUBGRAPH_NAMES } from './names.js';

const name = process.argv[2] ?? '';
if (!isSubgraphName(name)) {
  console.error(`usage: npm run start:subgraph -- <${SUBGRAPH_NAMES.join('|')}>`);
  process.exit(2);
}
await import(`../../${name}/src/main.js`);
