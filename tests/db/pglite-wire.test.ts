import { randomUUID } from 'node:crypto';
import { messages, PGlite, TransactionAbortedError } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory, StatementCounter, storageError, UniqueViolation } from '#platform/db';
import { overTheWire } from '../../platform/db/pglite-wire.js';

let db: PGlite;
let wire: PGlite;

beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
  await db.exec(`
    CREATE TABLE item (id uuid PRIMARY KEY, n int NOT NULL CHECK (n >= 0), tags text[] NOT NULL DEFAULT '{}', doc jsonb, at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, parent int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
  wire = overTheWire(db, 3);
});

afterAll(async () => {
  await db.close();
});

const preparedNames = async () => (await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements ORDER BY name`)).rows.map((r) => r.name);

describe('statements over the PGlite wire', () => {
  it('answers as PGlite itself does: rows, fields, affected rows, arrays, JSON and timestamps', async () => {
    const insert = `INSERT INTO item (id, n, tags, doc) VALUES ($1, $2, $3, $4) RETURNING id, n, tags, doc, at`;
    const own = await db.query(insert, [randomUUID(), 7, ['a', 'b,c', 'd"e'], { deep: [1, { x: null }] }]);
    const ours = await wire.query<{ id: string; n: number; tags: string[]; doc: unknown; at: Date }>(insert, [randomUUID(), 7, ['a', 'b,c', 'd"e'], { deep: [1, { x: null }] }]);
    expect(ours.affectedRows).toBe(1);
    expect(ours.fields).toEqual(own.fields);
    expect(ours.rows[0]).toMatchObject({ n: 7, tags: ['a', 'b,c', 'd"e'], doc: { deep: [1, { x: null }] } });
    expect(ours.rows[0]!.at).toBeInstanceOf(Date);

    const arrays = await wire.query(`SELECT n, tags FROM item WHERE n = $1 ORDER BY id`, [7], { rowMode: 'array' });
    expect(arrays.rows).toEqual([[7, ['a', 'b,c', 'd"e']], [7, ['a', 'b,c', 'd"e']]]);
    const none = await wire.query(`SELECT count(*)::int AS c FROM item WHERE n = 99`);
    expect(none.rows).toEqual([{ c: 0 }]);
  });

  it('prepares a text under a name the second time it is sent, and reuses it', async () => {
    const select = `SELECT id FROM item WHERE id = $1`;
    const id = randomUUID();
    await wire.query(`INSERT INTO item (id, n) VALUES ($1, $2)`, [id, 1]);
    const before = await preparedNames();
    expect((await wire.query(select, [id])).rows).toEqual([{ id }]);
    expect(await preparedNames()).toEqual(before);
    expect((await wire.query(select, [id])).rows).toEqual([{ id }]);
    const named = await preparedNames();
    expect(named.length).toBe(before.length + 1);
    expect((await wire.query(select, [randomUUID()])).rows).toEqual([]);
    expect(await preparedNames()).toEqual(named);
  });

  it('names at most as many texts as it is allowed, and still runs the rest', async () => {
    for (let i = 0; i < 6; i++) {
      const text = `SELECT $1::int + ${i} AS v`;
      expect((await wire.query(text, [i])).rows).toEqual([{ v: 2 * i }]);
      expect((await wire.query(text, [i])).rows).toEqual([{ v: 2 * i }]);
    }
    expect((await preparedNames()).length).toBe(3);
  });

  it('fails bad input with the database error and its code, and the statement keeps working', async () => {
    const text = `UPDATE item SET n = n - $2 WHERE id = $1 RETURNING n`;
    const id = randomUUID();
    await wire.query(`INSERT INTO item (id, n) VALUES ($1, $2)`, [id, 2]);
    await wire.query(text, [id, 1]);
    await wire.query(text, [id, 1]);
    const error = await wire.query(text, ['not-a-uuid', 1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(messages.DatabaseError);
    expect(error).toMatchObject({ code: '22P02', query: text });
    const check = await wire.query(text, [id, 1]).catch((e: unknown) => e);
    expect(check).toMatchObject({ code: '23514' });
    expect((await wire.query(`SELECT n FROM item WHERE id = $1`, [id])).rows).toEqual([{ n: 0 }]);
    const syntax = await wire.query(`SELEC 1`).catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: '42601' });
  });
});

describe('prepared statements the wire can no longer use', () => {
  let fresh: PGlite;
  let own: PGlite;
  beforeAll(async () => {
    fresh = new PGlite();
    await fresh.waitReady;
    own = overTheWire(fresh, 200);
  });
  afterAll(async () => {
    await fresh.close();
  });

  it('fails the execution whose plan a schema change broke, then prepares the text afresh', async () => {
    await fresh.exec(`CREATE TABLE widened (a int)`);
    await fresh.query(`INSERT INTO widened VALUES (1)`);
    const text = `SELECT * FROM widened WHERE a = $1`;
    await own.query(text, [1]);
    await own.query(text, [1]);
    expect((await fresh.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements`)).rows[0]!.n).toBe(1);
    await fresh.exec(`ALTER TABLE widened ADD COLUMN b int`);
    const stale = await own.query(text, [1]).catch((e: unknown) => e);
    expect(stale).toMatchObject({ code: '0A000' });
    expect((await own.query(text, [1])).rows).toEqual([{ a: 1, b: null }]);
    expect((await own.query(text, [1])).rows).toEqual([{ a: 1, b: null }]);
  });

  it('fails once when Postgres has lost a prepared statement, then prepares the text afresh', async () => {
    const text = `SELECT $1::int * 3 AS v`;
    await own.query(text, [1]);
    await own.query(text, [1]);
    await fresh.exec(`DEALLOCATE ALL`);
    const lost = await own.query(text, [2]).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: '26000' });
    expect((await own.query(text, [2])).rows).toEqual([{ v: 6 }]);
    expect((await own.query(text, [3])).rows).toEqual([{ v: 9 }]);
    expect((await own.query(text, [4])).rows).toEqual([{ v: 12 }]);
  });

  it('refuses statements once its PGlite is closed', async () => {
    const closing = new PGlite();
    await closing.waitReady;
    const own = overTheWire(closing, 200);
    expect((await own.query(`SELECT $1::int AS v`, [1])).rows).toEqual([{ v: 1 }]);
    await closing.close();
    await expect(own.query(`SELECT $1::int AS v`, [1])).rejects.toThrow('PGlite is closed');
  });
});

describe('transactions over the PGlite wire', () => {
  const count = async (n: number) => (await db.query<{ c: number }>(`SELECT count(*)::int AS c FROM item WHERE n = $1`, [n])).rows[0]!.c;

  it('commits what the callback wrote when it returns', async () => {
    const result = await wire.transaction(async (tx) => {
      await tx.query(`INSERT INTO item (id, n) VALUES ($1, 101)`, [randomUUID()]);
      await tx.query(`INSERT INTO item (id, n) VALUES ($1, 101)`, [randomUUID()]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await count(101)).toBe(2);
  });

  it('rolls back everything when the callback throws, and when it rolls back itself', async () => {
    const error = await wire
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO item (id, n) VALUES ($1, 102)`, [randomUUID()]);
        await tx.query(`INSERT INTO item (id, n) VALUES ($1, -1)`, [randomUUID()]);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23514' });
    await wire.transaction(async (tx) => {
      await tx.query(`INSERT INTO item (id, n) VALUES ($1, 102)`, [randomUUID()]);
      void tx.rollback();
    });
    expect(await count(102)).toBe(0);
    expect(db.isInTransaction()).toBe(false);
  });

  it('fails the commit of a transaction Postgres could not commit, leaving nothing', async () => {
    const error = await wire
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO item (id, n) VALUES ($1, 103)`, [randomUUID()]);
        await tx.query(`INSERT INTO child (id, parent) VALUES (1, 42)`);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23503' });
    const swallowed = await wire
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO item (id, n) VALUES ($1, 103)`, [randomUUID()]);
        await tx.query(`SELECT 1/0`).catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(swallowed).toBeInstanceOf(TransactionAbortedError);
    expect(await count(103)).toBe(0);
  });

  it('keeps statements outside it waiting until it ends, as PGlite does', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tx = wire.transaction(async (t) => {
      await t.query(`INSERT INTO item (id, n) VALUES ($1, 104)`, [randomUUID()]);
      order.push('tx wrote');
      await held;
      order.push('tx ends');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const outside = wire.query(`SELECT count(*)::int AS c FROM item WHERE n = 104`).then((r) => order.push(`outside saw ${(r.rows[0] as { c: number }).c}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all([tx, outside]);
    expect(order).toEqual(['tx wrote', 'tx ends', 'outside saw 1']);
  });
});

describe('the Prisma driver adapter on the PGlite wire', () => {
  it('maps a unique violation to its driver error and counts the statements', async () => {
    const counter = new StatementCounter('wire-test');
    const adapter = await createAdapterFactory({ kind: 'pglite', pglite: db }, counter).connect();
    const id = randomUUID();
    const insert = { sql: `INSERT INTO item (id, n) VALUES ($1, $2)`, args: [id, 5], argTypes: [{ scalarType: 'uuid', arity: 'scalar' }, { scalarType: 'int', arity: 'scalar' }] } as never;
    expect(await adapter.executeRaw(insert)).toBe(1);
    const duplicate = await adapter.executeRaw(insert).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ name: 'DriverAdapterError', cause: { kind: 'UniqueConstraintViolation' } });
    const tx = await adapter.startTransaction();
    await tx.executeRaw({ sql: `UPDATE item SET n = 6 WHERE id = $1`, args: [id], argTypes: [{ scalarType: 'uuid', arity: 'scalar' }] } as never);
    await tx.commit();
    const read = await adapter.queryRaw({ sql: `SELECT n FROM item WHERE id = $1`, args: [id], argTypes: [{ scalarType: 'uuid', arity: 'scalar' }] } as never);
    expect(read.rows).toEqual([[6]]);
    expect(counter.total).toBe(4);
  });

  it("fails the commit of a transaction Postgres rolled back, though the adapter swallows its PGlite transaction's failure", async () => {
    const adapter = await createAdapterFactory({ kind: 'pglite', pglite: db }, new StatementCounter('wire-test')).connect();
    const id = randomUUID();
    const tx = await adapter.startTransaction();
    await tx.executeRaw({ sql: `INSERT INTO item (id, n) VALUES ($1, 105)`, args: [id], argTypes: [{ scalarType: 'uuid', arity: 'scalar' }] } as never);
    await tx.queryRaw({ sql: `SELECT 1/0`, args: [], argTypes: [] } as never).catch(() => undefined);
    await expect(tx.commit()).rejects.toBeInstanceOf(TransactionAbortedError);
    expect((await db.query(`SELECT count(*)::int AS c FROM item WHERE id = $1`, [id])).rows).toEqual([{ c: 0 }]);
    expect(db.isInTransaction()).toBe(false);
  });
});

describe('storage errors of raw statements sent straight to the driver adapter', () => {
  it("turns the adapter's unique violation into UniqueViolation, naming the columns", async () => {
    const adapter = await createAdapterFactory({ kind: 'pglite', pglite: db }, new StatementCounter('wire-test')).connect();
    await db.exec(`CREATE TABLE sku (tenant int, code text, UNIQUE (tenant, code))`);
    const insert = { sql: `INSERT INTO sku VALUES (1, 'A')`, args: [], argTypes: [] } as never;
    await adapter.executeRaw(insert);
    const refused = storageError(await adapter.executeRaw(insert).catch((e: unknown) => e));
    expect(refused).toBeInstanceOf(UniqueViolation);
    expect((refused as UniqueViolation).constraint).toContain('code');
  });
});
