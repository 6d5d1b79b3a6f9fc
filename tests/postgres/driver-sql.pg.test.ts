import { afterAll, beforeAll } from 'vitest';
import { createAdapterFactory, DriverSql, StatementCounter } from '#platform/db';
import { createInventoryDb } from '../../subgraphs/inventory/src/db.js';
import { scratchDatabase, type ScratchDatabase } from '../harness/postgres-admin.js';
import { driverSqlCases, type DriverSqlTarget } from '../harness/driver-sql-cases.js';

let database: ScratchDatabase;
let target: DriverSqlTarget;

beforeAll(async () => {
  database = await scratchDatabase('driver_sql_test', 'inventory');
  const statements = new StatementCounter('inventory');
  const driverSql = new DriverSql();
  target = { statements, driverSql, prisma: createInventoryDb(createAdapterFactory({ kind: 'postgres', url: database.url, poolSize: 2 }, statements, driverSql)) };
  await target.prisma.$connect();
});

afterAll(async () => {
  await target?.prisma.$disconnect();
  await database?.drop();
});

driverSqlCases('PostgreSQL', () => target);
