import { afterAll, beforeAll } from 'vitest';
import { catalogOnPglite } from '../harness/catalog-pglite.js';
import { retentionCases } from '../harness/retention-cases.js';

let database: Awaited<ReturnType<typeof catalogOnPglite>>;

beforeAll(async () => {
  database = await catalogOnPglite();
});
afterAll(async () => {
  await database?.close();
});

retentionCases('PGlite', () => ({ db: database.db, schema: 'catalog' }));
