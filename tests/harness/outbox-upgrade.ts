// The upgrade of a database made before the platform owned the outbox and inbox, as one scenario
// that runs on embedded PGlite (tests/db) and on PostgreSQL (tests/postgres).
import { expect } from 'vitest';
import { applyMigrations, type MigrationTarget } from '#platform/db';
import { applyOutboxMigrations, OUTBOX_SCHEMA } from '#platform/events';
import { migrationsDirOf, type SubgraphName } from '#contracts';

export type Query = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

const EVENT_ID = '0b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

/** Columns (name, type, nullability, default) and index definitions of the platform's tables in a schema. */
export async function platformTablesOf(query: Query, schema: string): Promise<unknown> {
  const columns = await query<Record<string, unknown>>(
    `SELECT table_name, column_name, data_type, is_nullable,
            replace(replace(column_default, $1, 'SCHEMA.'), $2, 'SCHEMA.') AS column_default
       FROM information_schema.columns
      WHERE table_schema = $3 AND table_name = ANY($4::text[])
      ORDER BY table_name, ordinal_position`,
    [`"${schema}".`, `${schema}.`, schema, OUTBOX_SCHEMA.tables],
  );
  const indexes = await query<Record<string, unknown>>(
    `SELECT tablename, indexname, replace(replace(indexdef, $1, 'SCHEMA.'), $2, 'SCHEMA.') AS indexdef
       FROM pg_indexes WHERE schemaname = $3 AND tablename = ANY($4::text[]) ORDER BY indexname`,
    [`"${schema}".`, `${schema}.`, schema, OUTBOX_SCHEMA.tables],
  );
  return { columns, indexes };
}

/**
 * A subgraph schema migrated the way every database was before this change (its own Prisma
 * migrations only, which created the outbox and inbox), with an unpublished event and a consumed
 * one in it; then the migrator of today. Nothing is lost, the platform's baseline is recorded in
 * its own table, and Prisma's bookkeeping still lists only the subgraph's migrations.
 */
export async function upgradesInPlace(target: MigrationTarget, query: Query, name: SubgraphName): Promise<void> {
  await applyMigrations(target, { schema: name, migrationsDir: migrationsDirOf(name) });
  await query(
    `INSERT INTO "${name}"."OutboxEvent" ("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload")
     VALUES ($1::uuid, 't1', 'orders.order.placed', 1, 'Order', 'o1', '{"orderId":"o1"}'::jsonb)`,
    [EVENT_ID],
  );
  await query(`INSERT INTO "${name}"."ProcessedEvent" ("consumer", "eventId") VALUES ('orders', $1::uuid)`, [EVENT_ID]);
  const prismaBefore = await query<{ migration_name: string }>(`SELECT migration_name FROM "${name}"."_prisma_migrations" ORDER BY migration_name`);

  const { applied } = await applyOutboxMigrations(target, { schema: name });

  // the baseline (which finds the tables there and changes nothing), then what came after it
  expect(applied).toEqual(['20261129120000_outbox_inbox', '20261130182932_inbox_processed_at_index']);
  expect(await query(`SELECT "id", "type", "publishedAt", "seq"::int AS seq FROM "${name}"."OutboxEvent"`)).toEqual([
    { id: EVENT_ID, type: 'orders.order.placed', publishedAt: null, seq: 1 },
  ]);
  expect(await query(`SELECT "consumer", "eventId" FROM "${name}"."ProcessedEvent"`)).toEqual([{ consumer: 'orders', eventId: EVENT_ID }]);
  expect(await query(`SELECT migration_name FROM "${name}"."_prisma_migrations" ORDER BY migration_name`)).toEqual(prismaBefore);
  expect(await query(`SELECT migration_name FROM "${name}"."${OUTBOX_SCHEMA.bookkeepingTable}" WHERE finished_at IS NOT NULL ORDER BY migration_name`)).toEqual([
    { migration_name: '20261129120000_outbox_inbox' },
    { migration_name: '20261130182932_inbox_processed_at_index' },
  ]);
  // the next event keeps counting where the old sequence was
  await query(
    `INSERT INTO "${name}"."OutboxEvent" ("id", "tenantId", "type", "version", "aggregateType", "aggregateId", "payload")
     VALUES (gen_random_uuid(), 't1', 'orders.order.confirmed', 1, 'Order', 'o1', '{}'::jsonb)`,
  );
  expect(await query(`SELECT max("seq")::int AS seq FROM "${name}"."OutboxEvent"`)).toEqual([{ seq: 2 }]);
  expect((await applyOutboxMigrations(target, { schema: name })).applied).toEqual([]);
}
