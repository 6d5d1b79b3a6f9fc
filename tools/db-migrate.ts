// `npm run db:migrate`: applies every subgraph's migrations to its database (see tools/databases.ts).
import { migrationTargetOf } from '../subgraphs/kernel/src/db/database.js';
import { applyMigrations } from '../subgraphs/kernel/src/db/migrator.js';
import { SUBGRAPH_NAMES } from '../subgraphs/kernel/src/names.js';
import { migrationsDirOf } from '../subgraphs/kernel/src/paths.js';
import { createMissingDatabases, databaseTargets } from './databases.js';

const created = await createMissingDatabases(process.env);
if (created.length) console.log(`created databases: ${created.join(', ')}`);
const { targets, close } = await databaseTargets(process.env);
try {
  for (const name of SUBGRAPH_NAMES) {
    const { applied } = await applyMigrations(migrationTargetOf(targets[name]), { schema: name, migrationsDir: migrationsDirOf(name) });
    console.log(`${name.padEnd(9)} ${targets[name].kind.padEnd(8)} ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  }
} finally {
  await close();
}
