import type { InventoryClient } from '../db.js';
import type { MovementKind, StockItem } from '../generated/prisma/client.js';

export interface Movement {
  productId: string;
  kind: MovementKind;
  availableDelta: number;
  reservedDelta: number;
  reason: string;
  actorId: string | null;
  orderId?: string | null;
}

/** Why stock moved for an order: the ledger lines a move writes with it, one per product. */
export interface OrderLedger {
  orderId: string;
  reason: string;
}

/**
 * The ledger lines of the rows a `moved` CTE returned ("productId", "quantity"), in the statement
 * that moved them: tenant $1, the reason and the order in the parameters named (by default $4, $5).
 */
function ledgerInsert(kind: MovementKind, availableDelta: string, reservedDelta: string, reason = '$4', orderId = '$5'): string {
  return `INSERT INTO "inventory"."StockMovement" ("id", "tenantId", "productId", "kind", "availableDelta", "reservedDelta", "reason", "actorId", "orderId")
          SELECT gen_random_uuid(), $1::uuid, m."productId", '${kind}'::"inventory"."MovementKind", ${availableDelta}, ${reservedDelta}, ${reason}, NULL, ${orderId}::uuid FROM moved m`;
}

/**
 * Stock of one tenant. A stock record's id is its product's id: one record per product, so the
 * Stock entity and the product share a key.
 */
export class StockRepository {
  constructor(
    private readonly db: InventoryClient,
    private readonly tenantId: string,
  ) {}

  findByProductIds(productIds: readonly string[]): Promise<StockItem[]> {
    return this.db.stockItem.findMany({ where: { tenantId: this.tenantId, productId: { in: [...productIds] } } });
  }

  below(threshold: number, limit: number): Promise<StockItem[]> {
    return this.db.stockItem.findMany({
      where: { tenantId: this.tenantId, available: { lt: threshold } },
      orderBy: [{ available: 'asc' }, { productId: 'asc' }],
      take: limit,
    });
  }

  /** Creates the record of a new product; a second call for the same product changes nothing. */
  async createForProduct(productId: string): Promise<void> {
    await this.db.stockItem.upsert({
      where: { tenantId_productId: { tenantId: this.tenantId, productId } },
      create: { id: productId, tenantId: this.tenantId, productId, available: 0, reserved: 0 },
      update: {},
    });
  }

  /**
   * Adds delta to available in one conditional statement, never read-then-write: it only applies
   * when the result stays at or above zero. Returns false when it did not apply.
   */
  async addAvailable(productId: string, delta: number): Promise<boolean> {
    const { count } = await this.db.stockItem.updateMany({
      where: { tenantId: this.tenantId, productId, available: { gte: -delta } },
      data: { available: { increment: delta } },
    });
    return count === 1;
  }

  /** Moves quantity from available to reserved, only if that many are available (one conditional statement). */
  async reserve(productId: string, quantity: number): Promise<boolean> {
    const { count } = await this.db.stockItem.updateMany({
      where: { tenantId: this.tenantId, productId, available: { gte: quantity } },
      data: { available: { decrement: quantity }, reserved: { increment: quantity } },
    });
    return count === 1;
  }

  /**
   * Records the order's reservation (RESERVED, with its lines) unless it has one, and in the same
   * statement moves every line's quantity from available to reserved, or none: the rows are locked
   * in product order (so concurrent orders cannot deadlock), checked together on their latest
   * values, updated together, with a RESERVATION ledger line each. `created` is false when the order
   * had a reservation already (nothing written: a second `placed`); `reserved` is false when a line
   * is short or has no stock record (the reservation is written, no stock moves). One statement
   * instead of two on the saga's path; the reservation is inventory's, the statement is here with
   * the stock it moves.
   */
  async reserveAllForOrder(lines: readonly { productId: string; quantity: number }[], ledger: OrderLedger): Promise<{ created: boolean; reserved: boolean }> {
    const [row] = await this.db.$queryRawUnsafe<{ created: number; reserved: number }[]>(
      `WITH created AS (
              INSERT INTO "inventory"."Reservation" ("id", "tenantId", "orderId", "status", "lines", "reason", "updatedAt")
              VALUES (gen_random_uuid(), $1::uuid, $5::uuid, 'RESERVED'::"inventory"."ReservationStatus", $6::jsonb, NULL, clock_timestamp() AT TIME ZONE 'UTC')
              ON CONFLICT ("tenantId", "orderId") DO NOTHING
              RETURNING "id"),
            wanted AS (SELECT * FROM unnest($2::uuid[], $3::int[]) AS w("productId", "quantity") WHERE EXISTS (SELECT 1 FROM created)),
            locked AS (
              SELECT s."id", s."available", w."quantity" FROM "inventory"."StockItem" s JOIN wanted w ON w."productId" = s."productId"
               WHERE s."tenantId" = $1::uuid ORDER BY s."productId" FOR UPDATE OF s),
            moved AS (
              UPDATE "inventory"."StockItem" s
                 SET "available" = s."available" - l."quantity", "reserved" = s."reserved" + l."quantity", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
                FROM locked l
               WHERE s."id" = l."id"
                 AND (SELECT count(*) = cardinality($2::uuid[]) AND bool_and(x."available" >= x."quantity") FROM locked x)
              RETURNING s."productId", l."quantity"),
            recorded AS (${ledgerInsert('RESERVATION', '-m."quantity"', 'm."quantity"')})
       SELECT (SELECT count(*) FROM created)::int AS "created", (SELECT count(*) FROM moved)::int AS "reserved"`,
      this.tenantId, lines.map((l) => l.productId), lines.map((l) => l.quantity), ledger.reason, ledger.orderId, JSON.stringify(lines),
    );
    return { created: row!.created === 1, reserved: row!.created === 1 && row!.reserved === lines.length };
  }

  /**
   * A confirmed order's reservation moves RESERVED → COMMITTED and its held units leave the
   * warehouse, a COMMIT ledger line each, in one statement; returns the reservation's lines, or
   * null (nothing changed) when it was not RESERVED.
   */
  async commitReservation(ledger: OrderLedger): Promise<{ productId: string; quantity: number }[] | null> {
    const [row] = await this.db.$queryRawUnsafe<{ lines: unknown }[]>(
      `WITH reservation AS (
         UPDATE "inventory"."Reservation" SET "status" = 'COMMITTED'::"inventory"."ReservationStatus", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
          WHERE "tenantId" = $1::uuid AND "orderId" = $2::uuid AND "status" = 'RESERVED'::"inventory"."ReservationStatus"
         RETURNING "lines"),
       moved AS (
         UPDATE "inventory"."StockItem" s SET "reserved" = s."reserved" - w."quantity", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
           FROM (SELECT (l->>'productId')::uuid AS "productId", (l->>'quantity')::int AS "quantity" FROM reservation r, jsonb_array_elements(r."lines") l) w
          WHERE s."tenantId" = $1::uuid AND s."productId" = w."productId" AND s."reserved" >= w."quantity"
         RETURNING s."productId", w."quantity"),
       recorded AS (${ledgerInsert('COMMIT', '0', '-m."quantity"', '$3', '$2')})
       SELECT "lines" FROM reservation`,
      this.tenantId, ledger.orderId, ledger.reason,
    );
    if (!row) return null;
    return (typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines) as { productId: string; quantity: number }[];
  }

  /** Gives held units back to available (a cancelled order, or undoing a partial reservation). */
  async unreserve(productId: string, quantity: number): Promise<void> {
    await this.db.stockItem.updateMany({
      where: { tenantId: this.tenantId, productId, reserved: { gte: quantity } },
      data: { available: { increment: quantity }, reserved: { decrement: quantity } },
    });
  }

  /** Held units leave the warehouse with a confirmed order. */
  async commitReserved(productId: string, quantity: number): Promise<void> {
    await this.db.stockItem.updateMany({
      where: { tenantId: this.tenantId, productId, reserved: { gte: quantity } },
      data: { reserved: { decrement: quantity } },
    });
  }

  recordMovement(movement: Movement): Promise<unknown> {
    return this.db.stockMovement.create({ data: { ...movement, tenantId: this.tenantId } });
  }
}
