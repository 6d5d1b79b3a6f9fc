import type { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { createAdapterFactory, StatementCounter } from '#platform/db';
import { createCatalogDb, type CatalogDb } from '../../subgraphs/catalog/src/db.js';
import { openDatabaseFromImage } from './database-image.js';

/** A fresh PGlite from the test image (migrated, seeded) with catalog's client on it: the platform's tables in schema "catalog". */
export async function catalogOnPglite(): Promise<{ pglite: PGlite; db: CatalogDb; close(): Promise<void> }> {
  const pglite = await openDatabaseFromImage(inject('databaseImage'));
  const db = createCatalogDb(createAdapterFactory({ kind: 'pglite', pglite }, new StatementCounter('catalog')));
  return {
    pglite,
    db,
    async close() {
      await db.$disconnect();
      await pglite.close();
    },
  };
}
