import { AsyncLocalStorage } from 'node:async_hooks';
import { Decimal } from '@prisma/client/runtime/client';
import { SpanKind, trace } from '@opentelemetry/api';
import { ColumnTypeEnum, type ArgType, type ColumnType, type SqlDriverAdapter, type SqlQueryable, type SqlResultSet, type Transaction } from '@prisma/driver-adapter-utils';
import { endingSpan, isTracingEnabled } from '../observability/trace-context.js';

/** The raw SQL a Prisma client (or transaction client) offers: what repositories, the outbox and the relay send. */
export interface RawSqlClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** Prisma's parameter types, as its client gives them to a driver adapter for a raw statement. */
function argTypeOf(value: unknown): ArgType {
  if (Array.isArray(value)) return { scalarType: value.length > 0 ? scalarTypeOf(value[0]) : 'unknown', arity: 'list' };
  return { scalarType: scalarTypeOf(value), arity: 'scalar' };
}

function scalarTypeOf(value: unknown): ArgType['scalarType'] {
  if (value instanceof Date) return 'datetime';
  if (typeof value === 'bigint') return 'bigint';
  if (Decimal.isDecimal(value)) return 'decimal';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'number') return 'decimal';
  if (typeof value === 'string') return 'string';
  return 'unknown';
}

/** A parameter as Prisma's client hands it over: dates as ISO text, bytes in base64, other objects as JSON. */
function argOf(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(argOf);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint' || Decimal.isDecimal(value)) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** A column's value as `$queryRawUnsafe` returns it (Prisma's deserialisation of raw results). */
function valueOf(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case ColumnTypeEnum.Int32:
      return Math.trunc(Number(value));
    case ColumnTypeEnum.Int64:
      return BigInt(typeof value === 'number' ? Math.trunc(value) : (value as string));
    case ColumnTypeEnum.Numeric:
      return new Decimal(value as string);
    case ColumnTypeEnum.Boolean:
      return typeof value === 'boolean' ? value : value === 'true' || value === '1' || value === 1;
    case ColumnTypeEnum.Json:
      return typeof value === 'string' ? JSON.parse(value) : value;
    case ColumnTypeEnum.DateTime:
    case ColumnTypeEnum.Date:
      return new Date(value as string);
    case ColumnTypeEnum.Time:
      return new Date(`1970-01-01T${value as string}Z`);
    case ColumnTypeEnum.Bytes:
      return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value;
    case ColumnTypeEnum.Int32Array:
    case ColumnTypeEnum.Int64Array:
    case ColumnTypeEnum.NumericArray:
    case ColumnTypeEnum.BooleanArray:
    case ColumnTypeEnum.JsonArray:
    case ColumnTypeEnum.DateTimeArray:
    case ColumnTypeEnum.DateArray:
    case ColumnTypeEnum.TimeArray:
    case ColumnTypeEnum.BytesArray:
      return (value as unknown[]).map((element) => valueOf(element, (type - 64) as ColumnType));
    default:
      return value;
  }
}

/** Rows as objects keyed by column name, every column present. */
function rowsOf(result: SqlResultSet): Record<string, unknown>[] {
  const { columnNames, columnTypes, rows } = result;
  return rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i += 1) object[columnNames[i]!] = valueOf(row[i], columnTypes[i]!);
    return object;
  });
}

/** Raw statements on a driver adapter's connection or transaction, with the parameters and results of Prisma's raw API. */
class QueryableSql implements RawSqlClient {
  constructor(
    private readonly queryable: SqlQueryable,
    /** Throws when the statement must not be sent any more (its transaction is over). */
    private readonly check: () => void = () => undefined,
  ) {}

  async $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> {
    this.check();
    return traced(sql, () => this.queryable.executeRaw({ sql, args: values.map(argOf), argTypes: values.map(argTypeOf) }));
  }

  async $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T> {
    this.check();
    return rowsOf(await traced(sql, () => this.queryable.queryRaw({ sql, args: values.map(argOf), argTypes: values.map(argTypeOf) }))) as T;
  }
}

/**
 * With tracing on, a statement is a `db_query` span with its SQL, as Prisma's client made one
 * (`prisma:client:db_query`) for the statements that went through it; under suppressed tracing
 * (outbox polls) none is recorded.
 */
async function traced<R>(sql: string, run: () => Promise<R>): Promise<R> {
  if (!isTracingEnabled()) return run();
  return endingSpan(trace.getTracer('db').startSpan('db_query', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': sql } }), run);
}

/** The driver adapter's transaction behind one `$transaction` call, found while Prisma opens it. */
interface OpeningTransaction {
  tx?: Transaction;
  /** Set once Prisma sends COMMIT or ROLLBACK (or times the transaction out): nothing more may go on its connection. */
  over: boolean;
}

/**
 * Raw SQL straight to Prisma's driver adapter. Prisma's client spends about 150 µs of CPU around
 * each raw statement outside a transaction and 250 µs inside an interactive one (serialising the
 * parameters through JSON, its query interpreter, the transaction's queue), where the adapter
 * itself spends about 60: on the saga's path, where nearly every statement is raw, that was a fifth of
 * a consumer's CPU. Through `client`, a Prisma client's raw statements go to the adapter (the same
 * pool, named statements and statement counter); through `transaction`, those of an interactive
 * transaction go to the adapter's transaction that Prisma opened for it, on the same connection as
 * the ORM calls made in it. Parameters and results are converted as Prisma's raw API does.
 *
 * The link from a `$transaction` call to the adapter's transaction is the async context Prisma opens
 * it in (it opens it before it runs the callback); where none was found, statements go through
 * Prisma. A transaction is over for its raw statements as soon as Prisma sends its COMMIT or
 * ROLLBACK (a timeout included), so none can run on the connection outside it. Raw statements
 * skip Prisma's per-transaction queue: inside one transaction, statements are awaited one after
 * another (as every service does), never an ORM call left running beside a raw one.
 */
export class DriverSql {
  private adapter: SqlDriverAdapter | undefined;
  private readonly opening = new AsyncLocalStorage<OpeningTransaction>();

  /** Called by the adapter factory: the process's adapter, once Prisma has connected it. */
  connected(adapter: SqlDriverAdapter): void {
    this.adapter = adapter;
  }

  /** Called by the adapter factory when Prisma disposes of its adapter (`$disconnect`). */
  disposed(adapter: SqlDriverAdapter): void {
    if (this.adapter === adapter) this.adapter = undefined;
  }

  /** Called by the adapter factory for every transaction it opens: the one a `transaction` call waits for, watched until it ends. */
  opened(tx: Transaction): Transaction {
    const opening = this.opening.getStore();
    if (!opening || opening.tx) return tx;
    opening.tx = tx;
    const end = () => void (opening.over = true);
    return new Proxy(tx, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop === 'executeRaw') {
          return (query: { sql: string }) => {
            // Prisma's own COMMIT or ROLLBACK (not a savepoint's ROLLBACK TO)
            if (/^\s*(COMMIT|ROLLBACK)\s*;?\s*$/i.test(query.sql)) end();
            return target.executeRaw(query as Parameters<Transaction['executeRaw']>[0]);
          };
        }
        if (prop === 'commit' || prop === 'rollback') {
          return () => {
            end();
            return target[prop]();
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** `db` (a Prisma client) with its raw statements sent straight to the adapter once it is connected. */
  client<T extends RawSqlClient>(db: T): T {
    return rawThrough(db, () => (this.adapter ? new QueryableSql(this.adapter) : undefined));
  }

  /**
   * `db.$transaction(work)`, with the transaction client's raw statements sent straight to the
   * adapter's transaction behind it.
   */
  transaction<TTx extends RawSqlClient, R>(
    db: { $transaction<X>(fn: (tx: TTx) => Promise<X>, options?: { timeout?: number; maxWait?: number }): Promise<X> },
    work: (tx: TTx) => Promise<R>,
    options?: { timeout?: number; maxWait?: number },
  ): Promise<R> {
    const opening: OpeningTransaction = { over: false };
    return this.opening.run(opening, () =>
      db.$transaction((tx) => {
        const direct = opening.tx
          ? new QueryableSql(opening.tx, () => {
              if (opening.over) throw new Error('Transaction already closed: a raw statement was sent after its COMMIT or ROLLBACK');
            })
          : undefined;
        return work(direct ? rawThrough(tx, () => direct) : tx);
      }, options),
    );
  }
}

/** `db` with `$queryRawUnsafe` and `$executeRawUnsafe` sent to `direct()` when it gives one; everything else is `db`'s own. */
function rawThrough<T extends RawSqlClient>(db: T, direct: () => RawSqlClient | undefined): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === '$queryRawUnsafe' || prop === '$executeRawUnsafe') {
        const sql = direct();
        if (sql) return sql[prop].bind(sql);
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
