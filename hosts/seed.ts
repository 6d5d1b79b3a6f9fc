// `npm run db:seed`: migrates, then seeds the demo data into every subgraph's database. Idempotent.
import { migrateAndSeed } from './databases.js';

await migrateAndSeed(process.env);
console.log('demo data seeded: tenants acme and globex, 4 users, 120 products per tenant, past orders');
