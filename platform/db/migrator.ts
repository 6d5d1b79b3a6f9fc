// Applies a subgraph's Prisma migrations without Prisma's native schema engine, which we cannot
// download. It keeps Prisma's own bookkeeping (`_prisma_migrations` in the subgraph's schema,
// same columns, sha256 checksums, same advisory lock) so that anyone who has the native binary
// can still run `prisma migrate deploy|status` against `...?schema=<subgraph>`.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';

export type MigrationTarget =
  | { kind: 'pglite'; db: PGlite }
  /** The migrator opens and closes its own connection. */
  | { kind: 'postgres'; connectionString: string };

export interface MigrationOptions {
  /** The Postgres schema that holds the subgraph's tables and its `_prisma_migrations`. */
  schema: string;
  /** A folder of `<yyyyMMddHHmmss>_<name>/migration.sql` directories, applied in name order. */
  migrationsDir: string;
  log?: (msg: string) => void;
  /** How long to wait for another migrator (or Prisma) to finish on the same database. */
  lockTimeoutMs?: number;
  /**
   * The bookkeeping table in `schema`, Prisma's `_prisma_migrations` by default. Migrations that
   * are not Prisma's own (the platform's, applied to every subgraph's schema) keep their own table,
   * so that `prisma migrate status` sees only the subgraph's migrations.
   */
  bookkeepingTable?: string;
  /**
   * A schema name written in the migrations as a stand-in (`"__subgraph__"."OutboxEvent"`): each
   * quoted occurrence becomes `schema` when applied. Checksums stay those of the files as written.
   */
  schemaPlaceholder?: string;
  /** What the log lines call these migrations (the schema's name by default). */
  label?: string;
}

export interface MigrationStatus {
  /** Migrations recorded as finished and not rolled back. */
  applied: string[];
  /** Migrations on disk that are neither applied nor failed. */
  pending: string[];
  /** Started but never finished nor rolled back: someone must repair the database. */
  failed: string[];
  /** Applied migrations whose migration.sql no longer matches the recorded checksum. */
  modified: string[];
}

/** The key `prisma migrate` locks, so our migrator and Prisma's exclude each other. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** A first line that makes a migration run statement by statement, outside any transaction. */
export const NO_TRANSACTION_MARKER = '-- migrate:no-transaction';

const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
  logs: string | null;
}

/** The handful of operations the migrator needs, over PGlite or a pg.Client. */
interface SqlSession {
  /** Runs a script without parameters, several statements allowed. */
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
}

export async function applyMigrations(
  target: MigrationTarget,
  opts: MigrationOptions,
): Promise<{ applied: string[] }> {
  const files = await readMigrationFiles(opts.migrationsDir);
  return withSession(target, opts, { lock: true }, async (session) => {
    const table = migrationsTable(opts);
    await session.exec(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(opts.schema)};\n${createMigrationsTableSql(table)}`,
    );
    const rows = await readRows(session, table);
    assertNoFailed(rows, opts.schema, table);
    assertUnmodified(rows, files, opts.schema);
    warnAboutUnknown(rows, files, opts);

    const done = new Set(appliedRows(rows).map((r) => r.migration_name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file.name)) continue;
      const started = Date.now();
      const ready = { ...file, sql: forSchema(file.sql, opts) };
      const ran = isNoTransaction(ready.sql)
        ? await applyOutsideTransaction(session, table, ready, opts.schema)
        : await applyInTransaction(session, table, ready, opts.schema);
      if (!ran) continue;
      applied.push(file.name);
      opts.log?.(`${opts.label ?? opts.schema}: applied ${file.name} (${Date.now() - started} ms)`);
    }
    if (applied.length === 0) opts.log?.(`${opts.label ?? opts.schema}: up to date (${files.length} migration${files.length === 1 ? '' : 's'})`);
    return { applied };
  });
}

export async function migrationStatus(
  target: MigrationTarget,
  opts: MigrationOptions,
): Promise<MigrationStatus> {
  const files = await readMigrationFiles(opts.migrationsDir);
  return withSession(target, opts, { lock: false }, async (session) => {
    const table = migrationsTable(opts);
    // Status must not create anything, so a database never migrated has every migration pending.
    const [exists] = await session.query<{ exists: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS "exists"',
      [table],
    );
    const rows = exists?.exists ? await readRows(session, table) : [];
    const applied = appliedRows(rows);
    const failed = failedRows(rows).map((r) => r.migration_name);
    const appliedNames = new Set(applied.map((r) => r.migration_name));
    const failedNames = new Set(failed);
    const byName = new Map(files.map((f) => [f.name, f]));
    return {
      applied: applied.map((r) => r.migration_name),
      pending: files
        .filter((f) => !appliedNames.has(f.name) && !failedNames.has(f.name))
        .map((f) => f.name),
      failed,
      modified: applied
        .filter((r) => {
          const file = byName.get(r.migration_name);
          return file !== undefined && !checksumMatches(file.sql, r.checksum);
        })
        .map((r) => r.migration_name),
    };
  });
}

/** sha256 of migration.sql in lowercase hex, as Prisma records it. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Prisma accepts a script whose line endings git converted since it was applied; so do we. */
function checksumMatches(sql: string, recorded: string): boolean {
  const lf = sql.replace(/\r\n/g, '\n');
  const candidates = [sql, lf, lf.replace(/\n/g, '\r\n')];
  return candidates.some((c) => migrationChecksum(c) === recorded);
}

async function readMigrationFiles(migrationsDir: string): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (e) {
    throw new MigrationError(`cannot read migrations folder ${migrationsDir}: ${errorText(e)}`, {
      cause: e,
    });
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      const sql = await readFile(file, 'utf8').catch((e: unknown) => {
        throw new MigrationError(`migration ${name} has no readable migration.sql (${file})`, {
          cause: e,
        });
      });
      return { name, sql, checksum: migrationChecksum(sql) };
    }),
  );
}

function migrationsTable(opts: Pick<MigrationOptions, 'schema' | 'bookkeepingTable'>): string {
  return `${quoteIdent(opts.schema)}.${quoteIdent(opts.bookkeepingTable ?? '_prisma_migrations')}`;
}

/** The migration's SQL for `schema`: the stand-in schema name, where there is one, replaced. */
function forSchema(sql: string, opts: Pick<MigrationOptions, 'schema' | 'schemaPlaceholder'>): string {
  return opts.schemaPlaceholder ? sql.split(quoteIdent(opts.schemaPlaceholder)).join(quoteIdent(opts.schema)) : sql;
}

/** Prisma's own DDL for PostgreSQL (as in its schema engine), so its CLI finds what it expects. */
function createMigrationsTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;
}

function readRows(session: SqlSession, table: string): Promise<MigrationRow[]> {
  return session.query<MigrationRow>(
    `SELECT id, migration_name, checksum, finished_at, rolled_back_at, logs
       FROM ${table} ORDER BY started_at, migration_name`,
  );
}

function appliedRows(rows: MigrationRow[]): MigrationRow[] {
  return rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null);
}

function failedRows(rows: MigrationRow[]): MigrationRow[] {
  return rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
}

function assertNoFailed(rows: MigrationRow[], schema: string, table: string): void {
  const failed = failedRows(rows);
  if (failed.length === 0) return;
  const names = failed.map((r) => r.migration_name).join(', ');
  const logs = failed
    .map((r) => r.logs)
    .filter((l): l is string => l !== null && l !== '')
    .join('\n');
  throw new MigrationError(
    `${schema}: migration ${names} started but never finished, so the database may be half ` +
      `migrated; refusing to go on. Repair the database by hand, then mark the migration rolled ` +
      `back (prisma migrate resolve --rolled-back <name>, or set rolled_back_at = now() on its row ` +
      `in ${table}) so it is applied again, or applied if you finished it.` +
      (logs ? `\nRecorded error: ${logs}` : ''),
  );
}

function assertUnmodified(rows: MigrationRow[], files: MigrationFile[], schema: string): void {
  const byName = new Map(files.map((f) => [f.name, f]));
  const modified = appliedRows(rows).filter((r) => {
    const file = byName.get(r.migration_name);
    return file !== undefined && !checksumMatches(file.sql, r.checksum);
  });
  if (modified.length === 0) return;
  const details = modified
    .map((r) => {
      const file = byName.get(r.migration_name)!;
      return `migration ${r.migration_name} changed after it was applied (recorded checksum ${r.checksum}, file ${file.checksum})`;
    })
    .join('; ');
  throw new MigrationError(
    `${schema}: ${details}. Applied migrations are immutable: restore the file and put the ` +
      `change in a new migration.`,
  );
}

function warnAboutUnknown(rows: MigrationRow[], files: MigrationFile[], opts: MigrationOptions): void {
  // A database ahead of the code is what an application rollback looks like, so it must not block.
  const known = new Set(files.map((f) => f.name));
  const unknown = appliedRows(rows).filter((r) => !known.has(r.migration_name));
  if (unknown.length > 0) {
    opts.log?.(
      `${opts.schema}: database has migrations not in ${opts.migrationsDir}: ` +
        unknown.map((r) => r.migration_name).join(', '),
    );
  }
}

/** Returns false when another caller on the same database applied it meanwhile. */
async function applyInTransaction(
  session: SqlSession,
  table: string,
  file: MigrationFile,
  schema: string,
): Promise<boolean> {
  try {
    return await session.transaction(async (tx) => {
      if (await isRecordedApplied(tx, table, file.name)) return false;
      await tx.exec(file.sql);
      await tx.query(
        `INSERT INTO ${table}
           (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
        [randomUUID(), file.checksum, file.name],
      );
      return true;
    });
  } catch (e) {
    // The transaction rolled back, so the database is as before and a later run may retry.
    throw new MigrationError(`${schema}: migration ${file.name} failed and was rolled back: ${errorText(e)}`, {
      cause: e,
    });
  }
}

/**
 * Records the start first, as Prisma does, so that a failure or a crash part-way leaves a row
 * without finished_at and the next run refuses to build on a half-applied migration.
 */
async function applyOutsideTransaction(
  session: SqlSession,
  table: string,
  file: MigrationFile,
  schema: string,
): Promise<boolean> {
  if (await isRecordedApplied(session, table, file.name)) return false;
  const id = randomUUID();
  await session.query(
    `INSERT INTO ${table} (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, file.checksum, file.name],
  );
  try {
    // Several statements in one simple query form one implicit transaction, which is exactly
    // what e.g. CREATE INDEX CONCURRENTLY refuses, so each statement goes alone.
    for (const statement of splitSqlStatements(file.sql)) await session.exec(statement);
  } catch (e) {
    await session.query(`UPDATE ${table} SET logs = $2 WHERE id = $1`, [id, errorText(e)]);
    throw new MigrationError(
      `${schema}: migration ${file.name} (no transaction) failed part-way and is recorded as ` +
        `failed: ${errorText(e)}`,
      { cause: e },
    );
  }
  await session.query(
    `UPDATE ${table} SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
    [id],
  );
  return true;
}

async function isRecordedApplied(session: SqlSession, table: string, name: string): Promise<boolean> {
  const rows = await session.query<{ n: number }>(
    `SELECT 1 AS n FROM ${table}
      WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    [name],
  );
  return rows.length > 0;
}

function isNoTransaction(sql: string): boolean {
  const firstLine = sql.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return firstLine.trim().toLowerCase() === NO_TRANSACTION_MARKER;
}

/**
 * Splits a script at top-level semicolons, skipping those inside quotes, dollar quotes and
 * comments. Only used for no-transaction migrations.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number): void => {
    const text = sql.slice(start, end).trim();
    if (text !== '' && !isOnlyComments(text)) statements.push(text);
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'" || c === '"') {
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag && !/\w/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close === -1 ? n : close + tag.length;
      } else i++;
    } else if (c === ';') {
      push(i);
      start = ++i;
    } else i++;
  }
  push(n);
  return statements;
}

function isOnlyComments(text: string): boolean {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '').trim() === '';
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const detail = (e as { detail?: unknown }).detail;
    return typeof detail === 'string' && detail !== '' ? `${e.message} (${detail})` : e.message;
  }
  return String(e);
}

/** Serialises runs on one PGlite: it has one connection, so an advisory lock would not exclude. */
const pgliteRuns = new WeakMap<PGlite, Promise<unknown>>();

async function withSession<T>(
  target: MigrationTarget,
  opts: MigrationOptions,
  { lock }: { lock: boolean },
  fn: (session: SqlSession) => Promise<T>,
): Promise<T> {
  if (target.kind === 'pglite') {
    const { db } = target;
    const previous = pgliteRuns.get(db) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => fn(pgliteSession(db)));
    pgliteRuns.set(db, run);
    return run;
  }

  const client = new pg.Client({ connectionString: target.connectionString });
  // Without a listener a dropped connection would crash the process instead of failing the run.
  client.on('error', (e) => opts.log?.(`${opts.schema}: migration connection error: ${e.message}`));
  await client.connect();
  try {
    if (!lock) return await fn(pgSession(client));
    await acquireAdvisoryLock(client, opts);
    try {
      return await fn(pgSession(client));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function acquireAdvisoryLock(client: pg.Client, opts: MigrationOptions): Promise<void> {
  const timeoutMs = opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  // lock_timeout bounds the wait; it is reset at once so it never cuts a migration's own locks short.
  await client.query(`SELECT set_config('lock_timeout', $1, false)`, [`${timeoutMs}ms`]);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (e) {
    throw new MigrationError(
      `${opts.schema}: another migration run holds pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY}) ` +
        `after ${timeoutMs} ms: ${errorText(e)}`,
      { cause: e },
    );
  } finally {
    await client.query('RESET lock_timeout');
  }
}

function pgliteSession(db: PGlite | PGliteTransaction): SqlSession {
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<R>(sql: string, params?: unknown[]) {
      return (await db.query<R>(sql, params)).rows;
    },
    transaction<T>(fn: (tx: SqlSession) => Promise<T>) {
      if (!('transaction' in db)) throw new MigrationError('nested transactions are not supported');
      return db.transaction((tx) => fn(pgliteSession(tx)));
    },
  };
}

function pgSession(client: pg.Client, inTransaction = false): SqlSession {
  return {
    async exec(sql) {
      // A query without values goes over the simple protocol, which accepts several statements.
      await client.query(sql);
    },
    async query<R>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as R[];
    },
    async transaction<T>(fn: (tx: SqlSession) => Promise<T>) {
      if (inTransaction) throw new MigrationError('nested transactions are not supported');
      await client.query('BEGIN');
      try {
        const result = await fn(pgSession(client, true));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
  };
}
