import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { applyMigrations, createAdapterFactory, DriverSql, StatementCounter } from '#platform/db';
import { migrationsDirOf } from '#contracts';
import { createInventoryDb } from '../../subgraphs/inventory/src/db.js';
import { admin } from '../harness/postgres-admin.js';
import { driverSqlCases, type DriverSqlTarget } from '../harness/driver-sql-cases.js';

const database = `sc_driver_sql_test_${randomBytes(6).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/${database}`;
let target: DriverSqlTarget;

beforeAll(async () => {
  await admin(`CREATE DATABASE "${database}"`);
  await applyMigrations({ kind: 'postgres', connectionString: url }, { schema: 'inventory', migrationsDir: migrationsDirOf('inventory') });
  const statements = new StatementCounter('inventory');
  const driverSql = new DriverSql();
  target = { statements, driverSql, prisma: createInventoryDb(createAdapterFactory({ kind: 'postgres', url, poolSize: 2 }, statements, driverSql)) };
  await target.prisma.$connect();
});

afterAll(async () => {
  await target?.prisma.$disconnect();
  await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
});

driverSqlCases('PostgreSQL', () => target);
