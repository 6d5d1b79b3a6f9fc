import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { DriverSql, StatementCounter } from '#platform/db';
import type { InventoryDb } from '../../subgraphs/inventory/src/db.js';

/** An inventory database on one target, its Prisma client made with `driverSql`, migrated. */
export interface DriverSqlTarget {
  prisma: InventoryDb;
  driverSql: DriverSql;
  statements: StatementCounter;
}

/**
 * Raw statements skip Prisma's client and go to its driver adapter: they must answer as Prisma's
 * raw API does, run inside the transaction they were sent in, and never outside it. The same cases
 * on PGlite and on PostgreSQL, whose adapters differ.
 */
export function driverSqlCases(name: string, target: () => DriverSqlTarget, options: { oneConnection?: boolean } = {}): void {
  const tenantId = randomUUID();
  const stockOf = async (productId: string) =>
    (await target().prisma.$queryRawUnsafe<{ available: number }[]>(`SELECT "available" FROM "inventory"."StockItem" WHERE "productId" = $1::uuid`, productId))[0]?.available;

  describe(`raw statements straight to the driver adapter (${name})`, () => {
    const db = () => target().driverSql.client(target().prisma);
    it('answers as Prisma does: the same values for every column type, from the same parameters', async () => {
      const sql = `SELECT $1::int AS "int", $2::bigint AS "bigint", $3::numeric AS "numeric", $4::boolean AS "bool", $5::text AS "text",
                          $6::uuid AS "uuid", $7::jsonb AS "json", $8::timestamp(3) AS "timestamp", $8::timestamptz AS "timestamptz", $8::date AS "date",
                          $9::text[] AS "texts", $10::int[] AS "ints", $11::jsonb[] AS "jsons", $12::text AS "none", NULL::int AS "nullInt",
                          ARRAY[$2::bigint] AS "bigints", ARRAY[$8::timestamp(3)] AS "timestamps", 'RESERVED'::"inventory"."ReservationStatus" AS "enum"`;
      const values = [7, 9007199254740993n, '12.50', true, 'a "quoted" text', tenantId, { lines: [{ productId: 'p', quantity: 2 }] }, new Date('2026-11-30T14:00:00.123Z'),
        ['x', 'y'], [1, 2, 3], [JSON.stringify({ a: 1 }), JSON.stringify([2])], null];
      const direct = await db().$queryRawUnsafe<Record<string, unknown>[]>(sql, ...values);
      expect(direct).toEqual(await target().prisma.$queryRawUnsafe(sql, ...values));
      expect(direct[0]).toMatchObject({ int: 7, bigint: 9007199254740993n, bool: true, json: { lines: [{ productId: 'p', quantity: 2 }] }, timestamp: new Date('2026-11-30T14:00:00.123Z'), none: null, enum: 'RESERVED' });
      const write = `INSERT INTO "inventory"."StockItem" ("id", "tenantId", "productId", "available", "reserved", "updatedAt") VALUES ($1::uuid, $2::uuid, $1::uuid, $3, 0, $4::timestamp(3))`;
      const before = target().statements.total;
      expect(await db().$executeRawUnsafe(write, randomUUID(), tenantId, 5, new Date())).toBe(1);
      expect(target().statements.total).toBe(before + 1);
      // the adapter's own error, not Prisma's client's wrapping of it
      await expect(db().$queryRawUnsafe('SELECT 1 / $1::int AS "x"', 0)).rejects.toMatchObject({ name: 'DriverAdapterError' });
    });

    it("runs a transaction's raw statements on its connection: they see its ORM writes, and commit or roll back with them", async () => {
      const kept = randomUUID();
      const dropped = randomUUID();
      const create = (productId: string) => ({ data: { id: productId, tenantId, productId, available: 3, reserved: 0 } });
      await target().driverSql.transaction(target().prisma, async (tx) => {
        await tx.stockItem.create(create(kept));
        await tx.$executeRawUnsafe(`UPDATE "inventory"."StockItem" SET "available" = "available" + $2 WHERE "productId" = $1::uuid`, kept, 4);
        // outside the transaction, neither write is seen yet (PGlite's one connection waits for the transaction instead)
        if (!options.oneConnection) expect(await stockOf(kept)).toBeUndefined();
        expect((await tx.$queryRawUnsafe<{ available: number }[]>(`SELECT "available" FROM "inventory"."StockItem" WHERE "productId" = $1::uuid`, kept))[0]?.available).toBe(7);
      });
      expect(await stockOf(kept)).toBe(7);

      await expect(
        target().driverSql.transaction(target().prisma, async (tx) => {
          await tx.stockItem.create(create(dropped));
          await tx.$executeRawUnsafe(`UPDATE "inventory"."StockItem" SET "available" = 0 WHERE "productId" = $1::uuid`, kept);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await stockOf(dropped)).toBeUndefined();
      expect(await stockOf(kept)).toBe(7);
    });

    it('refuses a raw statement sent after its transaction timed out, rather than running it outside the transaction', async () => {
      const productId = randomUUID();
      let late: Promise<number> | undefined;
      await expect(
        target().driverSql.transaction(
          target().prisma,
          async (tx) => {
            await delay(300);
            late = tx.$executeRawUnsafe(
              `INSERT INTO "inventory"."StockItem" ("id", "tenantId", "productId", "available", "reserved", "updatedAt") VALUES ($1::uuid, $2::uuid, $1::uuid, 1, 0, now())`,
              productId, tenantId,
            );
            await late;
          },
          { timeout: 100 },
        ),
      ).rejects.toThrow();
      await expect(late).rejects.toThrow('a raw statement was sent after its COMMIT or ROLLBACK');
      expect(await stockOf(productId)).toBeUndefined();
    });

    it('lets savepoints roll back part of a transaction without ending it', async () => {
      const productId = randomUUID();
      await target().driverSql.transaction(target().prisma, async (tx) => {
        await tx.stockItem.create({ data: { id: productId, tenantId, productId, available: 1, reserved: 0 } });
        await tx.$executeRawUnsafe('SAVEPOINT batch_event');
        await tx.$executeRawUnsafe(`UPDATE "inventory"."StockItem" SET "available" = 99 WHERE "productId" = $1::uuid`, productId);
        await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT batch_event');
        await tx.$executeRawUnsafe('RELEASE SAVEPOINT batch_event');
        await tx.$executeRawUnsafe(`UPDATE "inventory"."StockItem" SET "available" = "available" + 1 WHERE "productId" = $1::uuid`, productId);
      });
      expect(await stockOf(productId)).toBe(2);
    });
  });
}
