import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, inject } from 'vitest';
import { createAdapterFactory, StatementCounter } from '#platform/db';
import { createCatalogDb, type CatalogDb } from '../../subgraphs/catalog/src/db.js';
import { openDatabaseFromImage } from '../harness/database-image.js';
import { retentionCases } from '../harness/retention-cases.js';

let pglite: PGlite;
let db: CatalogDb;

beforeAll(async () => {
  pglite = await openDatabaseFromImage(inject('databaseImage'));
  db = createCatalogDb(createAdapterFactory({ kind: 'pglite', pglite }, new StatementCounter('catalog')));
});
afterAll(async () => {
  await db?.$disconnect();
  await pglite?.close();
});

retentionCases('PGlite', () => ({ db, schema: 'catalog' }));
