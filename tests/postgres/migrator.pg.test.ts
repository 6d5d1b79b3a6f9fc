import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  migrationStatus,
  PRISMA_ADVISORY_LOCK_KEY,
} from '#platform/db';
import { SUBGRAPH_NAMES } from '#contracts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const migrationsDirOf = (subgraph: string): string =>
  path.join(repoRoot, 'prisma', subgraph, 'migrations');

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

const created: string[] = [];
let scratch: string;

/** A database of its own per test, dropped after the file, so runs never see each other. */
async function throwawayDatabase(): Promise<string> {
  const name = `sc_migrator_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  created.push(name);
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'sc-migrator-pg-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
});

describe('applyMigrations on PostgreSQL', () => {
  it("applies a subgraph's migrations into its own schema of a real database", async () => {
    const url = await throwawayDatabase();
    const target = { kind: 'postgres' as const, connectionString: url };
    for (const subgraph of SUBGRAPH_NAMES) {
      const opts = { schema: subgraph, migrationsDir: migrationsDirOf(subgraph) };
      expect((await migrationStatus(target, opts)).pending).toEqual(await migrationNames(opts.migrationsDir));
      const { applied } = await applyMigrations(target, opts);
      expect(applied).toEqual(await migrationNames(opts.migrationsDir));
      expect(await applyMigrations(target, opts)).toEqual({ applied: [] });
      expect(await migrationStatus(target, opts)).toMatchObject({ pending: [], failed: [], modified: [] });
    }
    const rows = await query<{ table_schema: string; n: string }>(
      url,
      `SELECT table_schema, count(*) AS n FROM information_schema.tables
        WHERE table_name = '_prisma_migrations' GROUP BY table_schema ORDER BY table_schema`,
    );
    expect(rows.map((r) => r.table_schema)).toEqual([...SUBGRAPH_NAMES].sort());
    const heldLocks = await query(
      url,
      `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
    );
    expect(heldLocks).toEqual([]);
  });

  it('lets two concurrent runs on one database both succeed, applying each migration once', async () => {
    const url = await throwawayDatabase();
    const target = { kind: 'postgres' as const, connectionString: url };
    const runs = SUBGRAPH_NAMES.flatMap((subgraph) => {
      const opts = { schema: subgraph, migrationsDir: migrationsDirOf(subgraph) };
      return [applyMigrations(target, opts), applyMigrations(target, opts)];
    });
    const results = await Promise.all(runs);

    for (const [i, subgraph] of SUBGRAPH_NAMES.entries()) {
      const [first, second] = [results[2 * i]!, results[2 * i + 1]!];
      expect([...first.applied, ...second.applied].sort()).toEqual(
        await migrationNames(migrationsDirOf(subgraph)),
      );
      const counts = await query<{ migration_name: string; n: string }>(
        url,
        `SELECT migration_name, count(*) AS n FROM "${subgraph}"."_prisma_migrations" GROUP BY migration_name`,
      );
      expect(counts.every((c) => c.n === '1')).toBe(true);
    }
  });

  it("waits for Prisma's advisory lock and gives up after lockTimeoutMs", async () => {
    const url = await throwawayDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
      const opts = { schema: 'catalog', migrationsDir: migrationsDirOf('catalog'), lockTimeoutMs: 300 };
      await expect(applyMigrations({ kind: 'postgres', connectionString: url }, opts)).rejects.toThrow(
        /holds pg_advisory_lock\(72707369\)/,
      );
      await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
      const { applied } = await applyMigrations({ kind: 'postgres', connectionString: url }, opts);
      expect(applied).toEqual(await migrationNames(opts.migrationsDir));
    } finally {
      await holder.end();
    }
  });

  it('runs CREATE INDEX CONCURRENTLY from a migration marked no-transaction', async () => {
    const url = await throwawayDatabase();
    const dir = path.join(scratch, 'no-transaction');
    const migrations: Record<string, string> = {
      '20260101000000_table': 'CREATE SCHEMA IF NOT EXISTS "notx";\nCREATE TABLE "notx"."A" (id int, name text);\n',
      '20260102000000_index':
        '-- migrate:no-transaction\n' +
        'CREATE INDEX CONCURRENTLY "A_name_idx" ON "notx"."A" ("name");\n' +
        'CREATE INDEX CONCURRENTLY "A_id_idx" ON "notx"."A" ("id");\n',
    };
    for (const [folder, sql] of Object.entries(migrations)) {
      await mkdir(path.join(dir, folder), { recursive: true });
      await writeFile(path.join(dir, folder, 'migration.sql'), sql);
    }
    const { applied } = await applyMigrations(
      { kind: 'postgres', connectionString: url },
      { schema: 'notx', migrationsDir: dir },
    );
    expect(applied).toEqual(Object.keys(migrations));
    const indexes = await query<{ indexname: string }>(
      url,
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'notx' AND tablename = 'A' ORDER BY indexname`,
    );
    expect(indexes.map((i) => i.indexname)).toEqual(['A_id_idx', 'A_name_idx']);
  });
});
