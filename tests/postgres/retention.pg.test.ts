import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory, StatementCounter } from '#platform/db';
import { createCatalogDb, type CatalogDb } from '../../subgraphs/catalog/src/db.js';
import { scratchDatabase, type ScratchDatabase } from '../harness/postgres-admin.js';
import { retentionCases } from '../harness/retention-cases.js';

let database: ScratchDatabase;
let db: CatalogDb;

beforeAll(async () => {
  database = await scratchDatabase('retention_test', 'catalog', { outbox: true });
  db = createCatalogDb(createAdapterFactory({ kind: 'postgres', url: database.url, poolSize: 2 }, new StatementCounter('catalog')));
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('the inbox index retention reads by', () => {
  it('is built by the platform migration (concurrently, outside a transaction) and valid', async () => {
    const [index] = await db.$queryRawUnsafe<{ valid: boolean }[]>(
      `SELECT i.indisvalid AS "valid" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'catalog' AND c.relname = 'ProcessedEvent_processedAt_idx'`,
    );
    expect(index?.valid).toBe(true);
  });
});

retentionCases('PostgreSQL', () => ({ db, schema: 'catalog' }));
