// `npm run db:migrate [-- <subgraph>...]`: applies every subgraph's (or the named ones') migrations
// to its database (see hosts/databases.ts). A deployment migrates one subgraph per job, with only
// that subgraph's DATABASE_URL_<NAME>.
import { isSubgraphName, SUBGRAPH_NAMES } from '#contracts';
import { createMissingDatabases, databaseTargets, migrateSubgraphs } from './databases.js';

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !isSubgraphName(name));
if (unknown.length) {
  console.error(`unknown subgraph ${unknown.join(', ')}; usage: npm run db:migrate [-- <${SUBGRAPH_NAMES.join('|')}>...]`);
  process.exit(2);
}
const names = asked.length ? SUBGRAPH_NAMES.filter((name) => asked.includes(name)) : SUBGRAPH_NAMES;
const created = await createMissingDatabases(process.env);
if (created.length) console.log(`created databases: ${created.join(', ')}`);
const { targets, close } = await databaseTargets(process.env, names);
try {
  await migrateSubgraphs(targets, names, (name, applied) =>
    console.log(`${name.padEnd(9)} ${targets[name].kind.padEnd(8)} ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`),
  );
} finally {
  await close();
}
