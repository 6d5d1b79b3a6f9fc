import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOutboxMigrations } from '#platform/events';
import { platformTablesOf, upgradesInPlace, type Query } from '../harness/outbox-upgrade.js';
import { admin } from '../harness/postgres-admin.js';

const database = `sc_outbox_test_${randomBytes(6).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/${database}`;
let client: pg.Client;
const query: Query = async (sql, params) => (await client.query(sql, params as unknown[])).rows as never;

beforeAll(async () => {
  await admin(`CREATE DATABASE "${database}"`);
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
});

describe('the platform outbox and inbox on PostgreSQL', () => {
  it("upgrades a database made by the subgraphs' own migrations in place, keeping every event", async () => {
    await upgradesInPlace({ kind: 'postgres', connectionString: url }, query, 'payments');
  });

  it("gives a schema that never had them the same tables and indexes the subgraphs' own migrations made", async () => {
    await applyOutboxMigrations({ kind: 'postgres', connectionString: url }, { schema: 'fresh_subgraph' });
    expect(await platformTablesOf(query, 'fresh_subgraph')).toEqual(await platformTablesOf(query, 'payments'));
  });
});
