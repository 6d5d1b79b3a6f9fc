import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory, preparedStatementNames, StatementCounter } from '#platform/db';
import { createCatalogDb, type CatalogDb } from '../../subgraphs/catalog/src/db.js';
import { scratchDatabase, type ScratchDatabase } from '../harness/postgres-admin.js';

// An unnamed statement is parsed and planned by PostgreSQL on every execution; the statements a
// process sends again and again are named, so each pooled connection prepares them once.
let database: ScratchDatabase;
let db: CatalogDb;

beforeAll(async () => {
  database = await scratchDatabase('prepared_test', 'catalog');
  // one connection, so the session asked about its prepared statements is the one that ran them
  db = createCatalogDb(createAdapterFactory({ kind: 'postgres', url: database.url, poolSize: 1 }, new StatementCounter('catalog')));
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const prepared = async (text: string) =>
  (await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, text))[0]!.n;

describe('prepared statements on PostgreSQL', () => {
  it('prepares a statement sent a second time on the connection, and answers it as before from then on', async () => {
    const text = `SELECT $1::int + 1 AS "next"`;
    expect(await db.$queryRawUnsafe(text, 1)).toEqual([{ next: 2 }]);
    expect(await prepared(text)).toBe(0);
    expect(await db.$queryRawUnsafe(text, 2)).toEqual([{ next: 3 }]);
    expect(await prepared(text)).toBe(1);
    expect(await db.$queryRawUnsafe(text, 41)).toEqual([{ next: 42 }]);
    expect(await prepared(text)).toBe(1);
  });

  it('keeps a prepared statement usable after the transaction it was prepared in rolled back', async () => {
    const text = `SELECT $1::text || '!' AS "said"`;
    await expect(
      db.$transaction(async (tx) => {
        await tx.$queryRawUnsafe(text, 'a');
        await tx.$queryRawUnsafe(text, 'b');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await db.$queryRawUnsafe(text, 'c')).toEqual([{ said: 'c!' }]);
  });
});

describe('preparedStatementNames', () => {
  const query = (sql: string, args: unknown[] = [1]) => ({ sql, args, argTypes: [] as never[] });

  it('names a text from its second execution on, the same name every time, and never a statement without parameters', () => {
    const names = preparedStatementNames();
    expect(names(query('SELECT $1'))).toBeUndefined();
    const name = names(query('SELECT $1'));
    expect(name).toMatch(/^sc_/);
    expect(names(query('SELECT $1'))).toBe(name);
    expect(names(query('SELECT $1 + 1'))).toBeUndefined();
    expect(names(query('SELECT $1 + 1'))).not.toBe(name);
    names(query('COMMIT', []));
    expect(names(query('COMMIT', []))).toBeUndefined();
  });

  it('names at most as many texts as it is allowed, and leaves the rest unnamed', () => {
    const names = preparedStatementNames(2);
    for (const text of ['a $1', 'b $1', 'c $1']) names(query(text));
    expect([names(query('a $1')), names(query('b $1')), names(query('c $1'))].map((n) => n !== undefined)).toEqual([true, true, false]);
  });
});
