import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, SqlQueryable, Transaction } from '@prisma/driver-adapter-utils';
import { pgliteAdapterFactory } from './pglite-wire.js';
import pg from 'pg';
import { dbPoolConnections, dbPoolWaiting, dbStatements, onScrape } from '../observability/metrics.js';
import type { DriverSql } from './driver-sql.js';
import type { MigrationTarget } from './migrator.js';

/**
 * Where a subgraph's data lives. Embedded, every subgraph shares one PGlite and keeps its tables in
 * its own Postgres schema; on PostgreSQL every subgraph has its own database.
 */
export type DatabaseTarget = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; url: string; poolSize: number };

/**
 * What every subgraph's PrismaClient is made with. `errorFormat: 'minimal'`: with any other format the
 * client builds an Error on every call to find the caller's file and line for its error text; that was
 * 1.4–1.9 % of a saga process's CPU (bench/checkout profiles). Failures keep their code and message.
 */
export const PRISMA_CLIENT_OPTIONS = { errorFormat: 'minimal' } as const;

/** Opens (creating if needed) the one embedded PGlite of the process. */
export async function openEmbeddedPglite(dataDir: string): Promise<PGlite> {
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  await db.waitReady;
  if (!fresh) return db;
  // Creating a cluster grows PGlite's WebAssembly memory to about 850 MB, and WebAssembly memory
  // never shrinks: reopening the new cluster (half a second) brings the process back to about 490 MB.
  await db.close();
  const reopened = new PGlite(dataDir);
  await reopened.waitReady;
  return reopened;
}

export function migrationTargetOf(target: DatabaseTarget): MigrationTarget {
  return target.kind === 'pglite' ? { kind: 'pglite', db: target.pglite } : { kind: 'postgres', connectionString: target.url };
}

/** Counts the statements a subgraph sends, so tests and /metrics can show that lists batch. */
export class StatementCounter {
  private count = 0;
  constructor(readonly service: string) {}
  get total(): number {
    return this.count;
  }
  record(): void {
    this.count += 1;
    dbStatements.inc({ service: this.service });
  }
}

function countingQueryable<T extends SqlQueryable>(inner: T, counter: StatementCounter, driverSql?: DriverSql): T {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'queryRaw' || prop === 'executeRaw') {
        return (...args: unknown[]) => {
          counter.record();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (prop === 'startTransaction') {
        return async (...args: unknown[]) => {
          const tx = (await (value as (...a: unknown[]) => Promise<Transaction>).apply(target, args)) as Transaction;
          const counted = countingQueryable(tx, counter);
          return driverSql ? driverSql.opened(counted) : counted;
        };
      }
      if (prop === 'dispose' && driverSql) {
        return () => {
          driverSql.disposed(receiver as SqlDriverAdapter);
          return (value as () => Promise<void>).apply(target);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Distinct statements a process prepares at most; past them, statements are sent unnamed as before. */
export const MAX_PREPARED_STATEMENTS = 200;

/**
 * Names for the statements a process sends again and again (the saga's raw SQL, the ORM's repeated
 * queries), so that each pooled PostgreSQL connection parses them once and keeps them prepared; an
 * unnamed statement is parsed and planned by the backend on every execution. A statement is named
 * the second time it is seen, so one-off texts (an `IN` list of a new length) stay unnamed, and
 * at most `max` texts are named per process, which bounds what every backend keeps. Statements
 * without parameters (BEGIN, COMMIT, savepoints) stay on the simple protocol. Undefined means
 * unnamed: adapter-pg hands the name to pg as the query's `name`.
 */
export function preparedStatementNames(max = MAX_PREPARED_STATEMENTS): (query: SqlQuery) => string | undefined {
  const names = new Map<string, string>();
  const seenOnce = new Set<string>();
  return ({ sql, args }) => {
    const name = names.get(sql);
    if (name !== undefined || args.length === 0 || names.size >= max) return name;
    if (!seenOnce.has(sql)) {
      if (seenOnce.size >= 4 * max) seenOnce.clear();
      seenOnce.add(sql);
      return undefined;
    }
    seenOnce.delete(sql);
    const named = `sc_${names.size}`;
    names.set(sql, named);
    return named;
  };
}

/**
 * The Prisma driver adapter for a target, wrapped to count statements; with `driverSql`, the
 * adapter and the transactions it opens are also handed to it, for raw statements sent straight to them.
 */
export function createAdapterFactory(target: DatabaseTarget, counter: StatementCounter, driverSql?: DriverSql): SqlDriverAdapterFactory {
  const inner: SqlDriverAdapterFactory =
    target.kind === 'pglite'
      ? pgliteAdapterFactory(target.pglite, MAX_PREPARED_STATEMENTS)
      : new PrismaPg({ connectionString: target.url, max: target.poolSize }, { statementNameGenerator: preparedStatementNames() as (query: SqlQuery) => string });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await inner.connect();
      // @prisma/adapter-pg exposes its pg.Pool; other adapters have no pool to watch
      const driver = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.();
      if (driver instanceof pg.Pool) watchPool(counter.service, driver);
      const counted = countingQueryable(adapter, counter, driverSql);
      driverSql?.connected(counted);
      return counted;
    },
  };
}

/** Pool use on /metrics: busy and idle connections against the pool's size, and queries queued for one. */
function watchPool(service: string, pool: pg.Pool): void {
  const stop = onScrape(() => {
    if (pool.ended || pool.ending) {
      stop();
      return;
    }
    dbPoolConnections.set({ service, state: 'busy' }, pool.totalCount - pool.idleCount);
    dbPoolConnections.set({ service, state: 'idle' }, pool.idleCount);
    dbPoolConnections.set({ service, state: 'max' }, pool.options.max ?? 10);
    dbPoolWaiting.set({ service }, pool.waitingCount);
  });
}
