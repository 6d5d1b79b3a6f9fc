import { messages, parse, PGlite, protocol, TransactionAbortedError, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const { serialize } = protocol;

type Parsers = PGlite['parsers'];
type Serializers = NonNullable<QueryOptions['serializers']>;

/** What the wire knows of a statement text it has sent: its parameters' types and, once named, its name. */
interface KnownStatement {
  paramTypes: number[];
  name?: string;
}

/** Prepared statement missing (26000), cached plan no longer fits its result (0A000). */
const STALE_STATEMENT = new Set(['26000', '0A000']);

/** Transactions of the wire that failed, by the handle given to their callback (see `transaction`). */
const failures = new WeakMap<object, unknown>();

/** Texts whose parameter types are remembered; past this many the memory starts again. */
const MAX_KNOWN_TEXTS = 1_000;

/**
 * PGlite's own `query` crosses into its WebAssembly five or six times per statement (Parse with a
 * Describe to learn the parameters' types, then Bind, Describe, Execute and Sync, each sent on its own
 * and its answer parsed on its own) and copies its parsers for every result. Every crossing runs
 * Postgres's protocol loop and PGlite's message parsing, on the one thread the whole embedded
 * supergraph shares. The wire sends a statement as one message buffer instead:
 *
 * - the parameters' types are asked for once per text (Parse and Describe), then remembered, so a
 *   statement seen before is Parse, Bind, Describe, Execute and Sync in one crossing;
 * - a text seen a second time is prepared under a name (at most `maxNamed` per PGlite), after which it
 *   is Bind, Describe, Execute and Sync: Postgres no longer parses or plans it. The name is taken only
 *   when its Parse has succeeded on its own, so a failing execution never leaves a name half-made;
 * - BEGIN, COMMIT and ROLLBACK are one simple-protocol message each.
 *
 * It keeps PGlite's locks (a top-level statement waits for open transactions, as PGlite's does), its
 * serializers and parsers and its errors (`messages.DatabaseError`, with the query attached), so the
 * Prisma driver adapter sees what it saw before. Values are serialized by the parameter type Postgres
 * inferred, as PGlite does.
 */
export class PgliteWire {
  private readonly known = new Map<string, KnownStatement>();
  private named = 0;
  private readonly mergedParsers = new WeakMap<Parsers, Parsers>();

  constructor(
    private readonly db: PGlite,
    private readonly maxNamed: number,
  ) {}

  /** A statement outside any transaction: it waits for open transactions, as PGlite's `query` does. */
  query<T>(sql: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return this.db._runExclusiveTransaction(() => this.statement<T>(sql, params, options, true));
  }

  /**
   * A transaction on the wire; `fn` gets what PGlite's `transaction` hands out (query, exec, rollback,
   * closed). It commits when `fn` returns unless rolled back, and rolls back when `fn` throws.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    let handle: Transaction | undefined;
    const run = this.db._runExclusiveTransaction(async () => {
      await this.simple('BEGIN');
      let closed = false;
      let rolledBack: Promise<unknown> | undefined;
      const open = () => {
        if (closed) throw new Error('Transaction is closed');
      };
      const tx = {
        query: <R>(sql: string, params?: unknown[], options?: QueryOptions) => {
          open();
          return this.statement<R>(sql, params ?? [], options, false);
        },
        sql: () => Promise.reject(new Error('tagged-template queries are not supported on the PGlite wire')),
        exec: async (sql: string) => {
          open();
          return [await this.simple(sql)];
        },
        rollback: async () => {
          open();
          // closed before the ROLLBACK is sent, so a callback that returns meanwhile does not commit
          closed = true;
          rolledBack = this.simple('ROLLBACK');
          // the adapter does not await its rollback(): a failure is reported by the transaction, below
          await rolledBack.catch(() => undefined);
        },
        listen: () => Promise.reject(new Error('LISTEN is not supported on the PGlite wire')),
        get closed() {
          return closed;
        },
      } as unknown as Transaction;
      handle = tx;
      try {
        const result = await fn(tx);
        if (!closed) {
          closed = true;
          const committed = await this.simple('COMMIT');
          if (committed.command === 'ROLLBACK') throw withQuery(new TransactionAbortedError(), 'COMMIT');
        }
        await rolledBack;
        return result;
      } catch (error) {
        if (!closed) {
          closed = true;
          await this.simple('ROLLBACK');
        }
        await rolledBack?.catch(() => undefined);
        throw error;
      }
    });
    // pglite-prisma-adapter hands `tx` out and swallows this promise's rejection (its commit() then
    // resolves): the failure is kept with `tx`, where the adapter's commit() looks for it (pgliteAdapterFactory)
    run.catch((error: unknown) => {
      if (handle) failures.set(handle, error);
    });
    return run;
  }

  /** One simple-protocol message (no parameters): one crossing, its ReadyForQuery ends it. */
  private simple(sql: string): Promise<Results> {
    return this.db._runExclusiveQuery(async () => {
      const result = await this.exchange([serialize.query(sql)], sql, undefined, undefined);
      return parse.parseResults(result, this.db.parsers)[0]!;
    });
  }

  private statement<T>(sql: string, params: unknown[], options: QueryOptions | undefined, topLevel: boolean): Promise<Results<T>> {
    return this.db._runExclusiveQuery(async () => {
      const known = params.length ? await this.prepared(sql, options) : undefined;
      const values = known ? this.serialized(params, known.paramTypes, options?.serializers) : [];
      const frames: Uint8Array[] = [];
      if (!known) frames.push(serialize.parse({ text: sql, types: options?.paramTypes }));
      else if (!known.name) frames.push(serialize.parse({ text: sql, types: known.paramTypes }));
      frames.push(serialize.bind({ statement: known?.name ?? '', values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
      const answer = await this.exchange(frames, sql, params, options).catch((error: unknown) => {
        // a prepared statement Postgres no longer has, or whose plan a schema change broke: the text is
        // described and named afresh the next time it is sent
        if (known?.name && STALE_STATEMENT.has((error as { code?: string }).code ?? '')) this.known.delete(sql);
        throw error;
      });
      if (topLevel) await this.db.syncToFs();
      const parsers = options?.parsers ? this.parsersWith(options.parsers as Parsers) : this.db.parsers;
      return parse.parseResults(answer, parsers, options?.rowMode ? { rowMode: options.rowMode } : undefined)[0] as Results<T>;
    });
  }

  /**
   * The text's parameter types, asked of Postgres the first time (Parse and Describe; the unnamed
   * statement it leaves is the one the execution binds, and it is sent again anyway), and a name for it
   * the second time, if names are left.
   */
  private async prepared(sql: string, options: QueryOptions | undefined): Promise<KnownStatement> {
    const known = this.known.get(sql);
    if (known?.name || (known && this.named >= this.maxNamed)) return known;
    if (known) {
      // a name is never tried twice: one a failed Parse may have left behind is not reused
      const name = `sc_wire_${this.named++}`;
      await this.exchange([serialize.parse({ text: sql, name, types: known.paramTypes }), serialize.sync()], sql, undefined, options);
      known.name = name;
      return known;
    }
    const described = await this.exchange(
      [serialize.parse({ text: sql, types: options?.paramTypes }), serialize.describe({ type: 'S' }), serialize.sync()],
      sql, undefined, options,
    );
    if (this.known.size >= MAX_KNOWN_TEXTS) this.forgetUnnamed();
    const fresh = { paramTypes: parse.parseDescribeStatementResults(described) };
    this.known.set(sql, fresh);
    return fresh;
  }

  /** Named statements stay known (Postgres keeps them); the rest is forgotten. */
  private forgetUnnamed(): void {
    for (const [sql, statement] of this.known) if (!statement.name) this.known.delete(sql);
  }

  private serialized(params: unknown[], types: number[], serializers: Serializers | undefined): (string | Uint8Array | null)[] {
    return params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const type = types[i]!;
      const serializer = serializers?.[type] ?? this.db.serializers[type];
      return (serializer ? serializer(value) : String(value)) as string | Uint8Array;
    });
  }

  /** PGlite's parsers merged with a caller's, once per caller's table (a later refreshArrayTypes() is not seen). */
  private parsersWith(extra: Parsers): Parsers {
    let merged = this.mergedParsers.get(extra);
    if (!merged) {
      merged = { ...this.db.parsers, ...extra };
      this.mergedParsers.set(extra, merged);
    }
    return merged;
  }

  /** One crossing into PGlite; a database error is thrown with the query attached, as PGlite's own. */
  private async exchange(frames: Uint8Array[], sql: string, params: unknown[] | undefined, options: QueryOptions | undefined) {
    // PGlite's close() lets go of its locks before it tears down: what reaches here after it is refused
    if (this.db.closed) throw new Error('PGlite is closed');
    const message = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    try {
      return (await this.db.execProtocol(message, { syncToFs: false })).messages;
    } catch (error) {
      if (error instanceof messages.DatabaseError) throw withQuery(error, sql, params, options);
      throw error;
    }
  }
}

function withQuery<E extends Error>(error: E, query: string, params?: unknown[], options?: QueryOptions): E {
  return Object.assign(error, { query, params, queryOptions: options });
}

const wires = new WeakMap<PGlite, PgliteWire>();

/**
 * The PGlite a Prisma driver adapter is given: its `query` and `transaction` go over the wire (one for
 * the PGlite, shared by every subgraph on it, as its prepared statements are; `maxNamed` of the first
 * call), the rest is PGlite's own.
 */
export function overTheWire(db: PGlite, maxNamed: number): PGlite {
  let wire = wires.get(db);
  if (!wire) {
    wire = new PgliteWire(db, maxNamed);
    wires.set(db, wire);
  }
  const query = wire.query.bind(wire);
  const transaction = wire.transaction.bind(wire);
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'query') return query;
      if (prop === 'transaction') return transaction;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * pglite-prisma-adapter on the wire. Its commit() resolves even when the PGlite transaction behind it
 * did not commit (it swallows that promise's rejection): a COMMIT Postgres answered with ROLLBACK would
 * pass for a commit, and a consumer would ack an event whose effect was rolled back. The wire keeps the
 * failure with the handle the adapter's transaction holds (`client`); commit() throws it here.
 */
export function pgliteAdapterFactory(db: PGlite, maxNamed: number): SqlDriverAdapterFactory {
  const inner = new PrismaPGlite(overTheWire(db, maxNamed));
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await inner.connect();
      const startTransaction = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolationLevel) => {
        const tx = await startTransaction(isolationLevel);
        const handle = (tx as { client?: object }).client;
        const commit = tx.commit.bind(tx);
        tx.commit = async () => {
          await commit();
          const failure = handle && failures.get(handle);
          if (failure) throw failure;
        };
        return tx;
      };
      return adapter;
    },
  };
}
