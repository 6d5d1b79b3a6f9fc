// `npm run db:seed`: migrates, then seeds the demo data into every subgraph's database. Idempotent.
import { seedAll } from '../prisma/seed.js';
import { migrationTargetOf } from '../subgraphs/kernel/src/db/database.js';
import { applyMigrations } from '../subgraphs/kernel/src/db/migrator.js';
import { SUBGRAPH_NAMES } from '../subgraphs/kernel/src/names.js';
import { migrationsDirOf } from '../subgraphs/kernel/src/paths.js';
import { seedTargetsOn } from './seed-targets.js';
import { createMissingDatabases, databaseTargets } from './databases.js';

await createMissingDatabases(process.env);
const { targets, close } = await databaseTargets(process.env);
try {
  for (const name of SUBGRAPH_NAMES) {
    await applyMigrations(migrationTargetOf(targets[name]), { schema: name, migrationsDir: migrationsDirOf(name) });
  }
  const clients = seedTargetsOn(targets);
  await seedAll(clients);
  await clients.disconnect();
  console.log('demo data seeded: tenants acme and globex, 4 users, 120 products per tenant, past orders');
} finally {
  await close();
}
