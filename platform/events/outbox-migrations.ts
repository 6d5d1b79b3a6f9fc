import { resolve } from 'node:path';
import { REPO_ROOT } from '../config/paths.js';
import { applyMigrations, type MigrationTarget } from '../db/migrator.js';

/** The one definition of the outbox and inbox tables and their migrations (see outbox-schema/outbox.prisma). */
export const OUTBOX_SCHEMA = {
  // from the project root, not this file: the compiled subgraph (dist/subgraph.js) reads them too
  datamodel: resolve(REPO_ROOT, 'platform/events/outbox-schema/outbox.prisma'),
  migrationsDir: resolve(REPO_ROOT, 'platform/events/outbox-schema/migrations'),
  /** The stand-in for the subgraph's schema in the datamodel and the migrations. */
  placeholder: 'subgraph_schema',
  /** Where each subgraph's schema records which of them it has. */
  bookkeepingTable: '_platform_migrations',
  /** The tables, which each subgraph's own Prisma schema leaves to the platform. */
  tables: ['OutboxEvent', 'ProcessedEvent'],
} as const;

/** Brings the outbox and inbox of one subgraph's schema up to date. */
export function applyOutboxMigrations(target: MigrationTarget, options: { schema: string; log?: (msg: string) => void }): Promise<{ applied: string[] }> {
  return applyMigrations(target, {
    schema: options.schema,
    migrationsDir: OUTBOX_SCHEMA.migrationsDir,
    bookkeepingTable: OUTBOX_SCHEMA.bookkeepingTable,
    schemaPlaceholder: OUTBOX_SCHEMA.placeholder,
    label: `${options.schema} outbox and inbox`,
    log: options.log,
  });
}
