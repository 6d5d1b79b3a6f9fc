import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  migrationStatus,
  splitSqlStatements,
} from '#platform/db';
import {
  NO_FILTER,
  readMigrationList,
  withSchemaEngine,
} from '../../tools/migrations/schema-engine.js';
import { SUBGRAPH_NAMES } from '#contracts';

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

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let db: PGlite;
let scratch: string;

/** Writes a migrations folder of its own for one test, so that tests share only the database. */
async function migrationsFolder(name: string, migrations: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, name);
  for (const [folder, sql] of Object.entries(migrations)) {
    await mkdir(path.join(dir, folder), { recursive: true });
    await writeFile(path.join(dir, folder, 'migration.sql'), sql);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'sc-migrator-'));
  db = new PGlite();
  await db.waitReady;
});

afterAll(async () => {
  await db?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('applyMigrations on PGlite', () => {
  it('applies all six subgraphs into one PGlite, each in its own schema', async () => {
    for (const subgraph of SUBGRAPH_NAMES) {
      const dir = migrationsDirOf(subgraph);
      const { applied } = await applyMigrations({ kind: 'pglite', db }, { schema: subgraph, migrationsDir: dir });
      expect(applied).toEqual(await migrationNames(dir));
      expect(applied.length).toBeGreaterThan(0);
      const tables = await tablesIn(subgraph);
      expect(tables).toContain('_prisma_migrations');
      expect(tables).toContain('OutboxEvent');
      expect(tables).toContain('ProcessedEvent');
    }
    expect(await tablesIn('catalog')).toEqual(
      expect.arrayContaining(['Category', 'Product']),
    );
    expect(await tablesIn('orders')).toEqual(expect.arrayContaining(['Order', 'OrderItem']));
    expect(await tablesIn('public')).toEqual([]);
  });

  it('applies nothing on a second run', async () => {
    for (const subgraph of SUBGRAPH_NAMES) {
      const { applied } = await applyMigrations(
        { kind: 'pglite', db },
        { schema: subgraph, migrationsDir: migrationsDirOf(subgraph) },
      );
      expect(applied).toEqual([]);
    }
  });

  it("records each migration as Prisma does: sha256 of migration.sql, finished_at, one step", async () => {
    for (const subgraph of SUBGRAPH_NAMES) {
      const dir = migrationsDirOf(subgraph);
      const { rows } = await db.query<{
        id: string;
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        started_at: Date;
        rolled_back_at: Date | null;
        logs: string | null;
        applied_steps_count: number;
      }>(`SELECT * FROM "${subgraph}"."_prisma_migrations" ORDER BY migration_name`);
      expect(rows.map((r) => r.migration_name)).toEqual(await migrationNames(dir));
      for (const row of rows) {
        const sql = await readFile(path.join(dir, row.migration_name, 'migration.sql'), 'utf8');
        expect(row.checksum).toBe(sha256(sql));
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    }
  });

  it("keeps Prisma's column types in _prisma_migrations", async () => {
    const { rows } = await db.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'catalog' AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(rows).toEqual([
      { column_name: 'id', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'checksum', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'migration_name', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'logs', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'started_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'applied_steps_count', data_type: 'integer', is_nullable: 'NO' },
    ]);
  });

  it('reports every migration pending before applying and none after', async () => {
    const dir = await migrationsFolder('status', {
      '20260101000000_first': 'CREATE SCHEMA IF NOT EXISTS "status_probe";\nCREATE TABLE "status_probe"."A" (id int);\n',
      '20260102000000_second': 'CREATE TABLE "status_probe"."B" (id int);\n',
    });
    const opts = { schema: 'status_probe', migrationsDir: dir };

    const before = await migrationStatus({ kind: 'pglite', db }, opts);
    expect(before).toEqual({
      applied: [],
      pending: ['20260101000000_first', '20260102000000_second'],
      failed: [],
      modified: [],
    });
    expect(await tablesIn('status_probe')).toEqual([]);

    await applyMigrations({ kind: 'pglite', db }, opts);
    const after = await migrationStatus({ kind: 'pglite', db }, opts);
    expect(after.pending).toEqual([]);
    expect(after.applied).toEqual(['20260101000000_first', '20260102000000_second']);
  });

  it('refuses to go on when an applied migration.sql no longer matches its checksum', async () => {
    const dir = await migrationsFolder('tampered', {
      '20260101000000_first': 'CREATE SCHEMA IF NOT EXISTS "tamper_probe";\nCREATE TABLE "tamper_probe"."A" (id int);\n',
    });
    const opts = { schema: 'tamper_probe', migrationsDir: dir };
    await applyMigrations({ kind: 'pglite', db }, opts);

    await writeFile(
      path.join(dir, '20260101000000_first', 'migration.sql'),
      'CREATE SCHEMA IF NOT EXISTS "tamper_probe";\nCREATE TABLE "tamper_probe"."A" (id bigint);\n',
    );
    await migrationsFolder('tampered', {
      '20260102000000_second': 'CREATE TABLE "tamper_probe"."B" (id int);\n',
    });

    await expect(applyMigrations({ kind: 'pglite', db }, opts)).rejects.toThrow(
      /20260101000000_first.*changed after it was applied/,
    );
    expect(await tablesIn('tamper_probe')).not.toContain('B');
    expect((await migrationStatus({ kind: 'pglite', db }, opts)).modified).toEqual(['20260101000000_first']);
  });

  it('accepts an applied migration.sql whose line endings git converted', async () => {
    const dir = await migrationsFolder('crlf', {
      '20260101000000_first': 'CREATE SCHEMA IF NOT EXISTS "crlf_probe";\nCREATE TABLE "crlf_probe"."A" (id int);\n',
    });
    const opts = { schema: 'crlf_probe', migrationsDir: dir };
    await applyMigrations({ kind: 'pglite', db }, opts);
    const file = path.join(dir, '20260101000000_first', 'migration.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'));

    await expect(applyMigrations({ kind: 'pglite', db }, opts)).resolves.toEqual({ applied: [] });
  });

  it('refuses to go on after an earlier migration that never finished', async () => {
    const dir = await migrationsFolder('unfinished', {
      '20260101000000_first': 'CREATE SCHEMA IF NOT EXISTS "unfinished_probe";\nCREATE TABLE "unfinished_probe"."A" (id int);\n',
    });
    const opts = { schema: 'unfinished_probe', migrationsDir: dir };
    await applyMigrations({ kind: 'pglite', db }, opts);
    // What a crash part-way through a migration run by Prisma (or a no-transaction one) leaves.
    await db.query(
      `UPDATE "unfinished_probe"."_prisma_migrations" SET finished_at = NULL, logs = 'killed'
        WHERE migration_name = '20260101000000_first'`,
    );
    await migrationsFolder('unfinished', {
      '20260102000000_second': 'CREATE TABLE "unfinished_probe"."B" (id int);\n',
    });

    await expect(applyMigrations({ kind: 'pglite', db }, opts)).rejects.toThrow(
      /20260101000000_first started but never finished/,
    );
    expect(await tablesIn('unfinished_probe')).not.toContain('B');
    const status = await migrationStatus({ kind: 'pglite', db }, opts);
    expect(status.failed).toEqual(['20260101000000_first']);
    expect(status.pending).toEqual(['20260102000000_second']);

    // Marked rolled back by whoever repaired it, the migration is applied again with the next one.
    await db.query(`DROP TABLE "unfinished_probe"."A"`);
    await db.query(`UPDATE "unfinished_probe"."_prisma_migrations" SET rolled_back_at = now()`);
    const { applied } = await applyMigrations({ kind: 'pglite', db }, opts);
    expect(applied).toEqual(['20260101000000_first', '20260102000000_second']);
  });

  it('rolls a failing migration back with its bookkeeping row, so a fixed file applies later', async () => {
    const dir = await migrationsFolder('failing', {
      '20260101000000_broken':
        'CREATE SCHEMA IF NOT EXISTS "failing_probe";\nCREATE TABLE "failing_probe"."A" (id int);\nSELEC 1;\n',
    });
    const opts = { schema: 'failing_probe', migrationsDir: dir };

    await expect(applyMigrations({ kind: 'pglite', db }, opts)).rejects.toThrow(
      /20260101000000_broken failed and was rolled back: .*syntax error/,
    );
    expect(await tablesIn('failing_probe')).toEqual(['_prisma_migrations']);
    const status = await migrationStatus({ kind: 'pglite', db }, opts);
    expect(status).toMatchObject({ applied: [], failed: [], pending: ['20260101000000_broken'] });

    await writeFile(
      path.join(dir, '20260101000000_broken', 'migration.sql'),
      'CREATE TABLE "failing_probe"."A" (id int);\n',
    );
    expect((await applyMigrations({ kind: 'pglite', db }, opts)).applied).toEqual(['20260101000000_broken']);
  });

  it('runs a migration marked no-transaction statement by statement', async () => {
    const dir = await migrationsFolder('no-transaction', {
      '20260101000000_tables':
        'CREATE SCHEMA IF NOT EXISTS "notx_probe";\nCREATE TABLE "notx_probe"."A" (id int, name text);\n',
      '20260102000000_index':
        '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY "A_name_idx" ON "notx_probe"."A" ("name");\n' +
        `COMMENT ON TABLE "notx_probe"."A" IS 'a; b';\n`,
    });
    const opts = { schema: 'notx_probe', migrationsDir: dir };
    const { applied } = await applyMigrations({ kind: 'pglite', db }, opts);
    expect(applied).toEqual(['20260101000000_tables', '20260102000000_index']);
    const { rows } = await db.query<{ finished: boolean; applied_steps_count: number }>(
      `SELECT finished_at IS NOT NULL AS finished, applied_steps_count
         FROM "notx_probe"."_prisma_migrations" WHERE migration_name = '20260102000000_index'`,
    );
    expect(rows).toEqual([{ finished: true, applied_steps_count: 1 }]);
    const comment = await db.query<{ c: string }>(`SELECT obj_description('"notx_probe"."A"'::regclass) AS c`);
    expect(comment.rows[0]?.c).toBe('a; b');
  });

  it('lets two concurrent runs on one PGlite apply each migration once', async () => {
    const dir = await migrationsFolder('concurrent', {
      '20260101000000_first': 'CREATE SCHEMA IF NOT EXISTS "concurrent_probe";\nCREATE TABLE "concurrent_probe"."A" (id int);\n',
      '20260102000000_second': 'CREATE TABLE "concurrent_probe"."B" (id int);\n',
    });
    const opts = { schema: 'concurrent_probe', migrationsDir: dir };
    const [a, b] = await Promise.all([
      applyMigrations({ kind: 'pglite', db }, opts),
      applyMigrations({ kind: 'pglite', db }, opts),
    ]);
    expect([...a.applied, ...b.applied].sort()).toEqual(['20260101000000_first', '20260102000000_second']);
  });
});

describe("compatibility with Prisma's schema engine", () => {
  it('reads a database this migrator migrated as up to date', async () => {
    const dir = migrationsDirOf('catalog');
    await applyMigrations({ kind: 'pglite', db }, { schema: 'catalog', migrationsDir: dir });
    const migrationsList = await readMigrationList(dir);
    // defaultSchema plays the part of `?schema=catalog` in the URL given to `prisma migrate status`.
    const diagnosis = await withSchemaEngine({ db, defaultSchema: 'catalog' }, (engine) =>
      engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
    );
    expect(diagnosis).toEqual({
      hasMigrationsTable: true,
      history: null,
      failedMigrationNames: [],
      editedMigrationNames: [],
    });
  });

  it('applies nothing to a database that Prisma deployed', async () => {
    const dir = migrationsDirOf('orders');
    const migrationsList = await readMigrationList(dir);
    const prismaDeployed = new PGlite();
    try {
      const deployed = await withSchemaEngine({ db: prismaDeployed, defaultSchema: 'orders' }, (engine) =>
        engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
      );
      expect(deployed.appliedMigrationNames).toEqual(await migrationNames(dir));

      const target = { kind: 'pglite' as const, db: prismaDeployed };
      const opts = { schema: 'orders', migrationsDir: dir };
      expect(await applyMigrations(target, opts)).toEqual({ applied: [] });
      expect(await migrationStatus(target, opts)).toMatchObject({ pending: [], failed: [], modified: [] });
    } finally {
      await prismaDeployed.close();
    }
  });
});

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons only', () => {
    const sql = [
      '-- a comment; with a semicolon',
      "INSERT INTO t VALUES ('x;y', 'it''s; fine', E'a\\';b');",
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;',
      '/* block; /* nested; */ still comment */ SELECT "we;ird" FROM t;',
      'SELECT 2',
    ].join('\n');
    expect(splitSqlStatements(sql)).toEqual([
      "-- a comment; with a semicolon\nINSERT INTO t VALUES ('x;y', 'it''s; fine', E'a\\';b')",
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
      '/* block; /* nested; */ still comment */ SELECT "we;ird" FROM t',
      'SELECT 2',
    ]);
  });

  it('drops pieces that are only comments', () => {
    expect(splitSqlStatements('-- migrate:no-transaction\nSELECT 1;\n-- trailing\n')).toEqual([
      '-- migrate:no-transaction\nSELECT 1',
    ]);
  });
});
