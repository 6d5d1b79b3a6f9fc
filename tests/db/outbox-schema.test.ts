import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOutboxMigrations } from '#platform/events';
import { platformTablesOf, upgradesInPlace, type Query } from '../harness/outbox-upgrade.js';

let db: PGlite;
const query: Query = async (sql, params) => (await db.query(sql, params)).rows as never;

beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});

afterAll(async () => {
  await db.close();
});

describe('the platform outbox and inbox on embedded PGlite', () => {
  it("upgrades a database made by the subgraphs' own migrations in place, keeping every event", async () => {
    await upgradesInPlace({ kind: 'pglite', db }, query, 'orders');
  });

  it("gives a schema that never had them the same tables and indexes the subgraphs' own migrations made", async () => {
    await applyOutboxMigrations({ kind: 'pglite', db }, { schema: 'fresh_subgraph' });
    expect(await platformTablesOf(query, 'fresh_subgraph')).toEqual(await platformTablesOf(query, 'orders'));
  });
});
