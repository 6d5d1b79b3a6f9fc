// `npm run db:seed`: migrates, then seeds the demo data into every subgraph's database. Idempotent.
import { migrateAndSeed } from './databases.js';
import { loadDemoDataPolicy } from './demo-data-policy.js';

// The demo logins are published: production gets them only when told so explicitly.
const policy = loadDemoDataPolicy(process.env);
if (policy.production && !policy.explicit) {
  console.error('refusing to seed the demo data (published passwords) in production; set SEED_DEMO_DATA=on to do it anyway.');
  process.exit(1);
}

await migrateAndSeed(process.env);
console.log('demo data seeded: tenants acme and globex, 4 users, 120 products per tenant, past orders');
