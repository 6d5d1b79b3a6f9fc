import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { applyMigrations, createAdapterFactory, DriverSql, StatementCounter } from '#platform/db';
import { migrationsDirOf } from '#contracts';
import { createInventoryDb } from '../../subgraphs/inventory/src/db.js';
import { driverSqlCases, type DriverSqlTarget } from '../harness/driver-sql-cases.js';

let pglite: PGlite;
let target: DriverSqlTarget;

beforeAll(async () => {
  pglite = new PGlite();
  await pglite.waitReady;
  await applyMigrations({ kind: 'pglite', db: pglite }, { schema: 'inventory', migrationsDir: migrationsDirOf('inventory') });
  const statements = new StatementCounter('inventory');
  const driverSql = new DriverSql();
  target = { statements, driverSql, prisma: createInventoryDb(createAdapterFactory({ kind: 'pglite', pglite }, statements, driverSql)) };
  await target.prisma.$connect();
});

afterAll(async () => {
  await target?.prisma.$disconnect();
  await pglite?.close();
});

driverSqlCases('PGlite', () => target, { oneConnection: true });
