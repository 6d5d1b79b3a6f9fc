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
   * Moves every line's quantity from available to reserved, or none: one statement that locks the
   * lines' rows in product order (so concurrent orders cannot deadlock), checks them all on their
   * latest values and updates them together. Returns false, changing nothing, when any line is short
   * or has no stock record.
   */
  async reserveAll(lines: readonly { productId: string; quantity: number }[]): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<{ productId: string }[]>(
      `WITH wanted AS (SELECT * FROM unnest($2::uuid[], $3::int[]) AS w("productId", "quantity")),
            locked AS (
              SELECT s."id", s."available", w."quantity" FROM "inventory"."StockItem" s JOIN wanted w ON w."productId" = s."productId"
               WHERE s."tenantId" = $1::uuid ORDER BY s."productId" FOR UPDATE OF s)
       UPDATE "inventory"."StockItem" s
          SET "available" = s."available" - l."quantity", "reserved" = s."reserved" + l."quantity", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
         FROM locked l
        WHERE s."id" = l."id"
          AND (SELECT count(*) = cardinality($2::uuid[]) AND bool_and(x."available" >= x."quantity") FROM locked x)
       RETURNING s."productId"`,
      this.tenantId, lines.map((l) => l.productId), lines.map((l) => l.quantity),
    );
    return rows.length === lines.length;
  }

  /** Held units of every line leave the warehouse with a confirmed order (one statement). */
  async commitAllReserved(lines: readonly { productId: string; quantity: number }[]): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "inventory"."StockItem" s SET "reserved" = s."reserved" - w."quantity", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
         FROM unnest($2::uuid[], $3::int[]) AS w("productId", "quantity")
        WHERE s."tenantId" = $1::uuid AND s."productId" = w."productId" AND s."reserved" >= w."quantity"`,
      this.tenantId, lines.map((l) => l.productId), lines.map((l) => l.quantity),
    );
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

  /** Several ledger lines in one statement. */
  async recordMovements(movements: readonly Movement[]): Promise<void> {
    if (movements.length === 0) return;
    // raw SQL on the saga's hot path (a reservation and a commit per order); the kinds go as text[]
    // (PGlite's driver adapter does not send a JavaScript array as an array of an enum type)
    await this.db.$executeRawUnsafe(
      `INSERT INTO "inventory"."StockMovement" ("id", "tenantId", "productId", "kind", "availableDelta", "reservedDelta", "reason", "actorId", "orderId")
       SELECT gen_random_uuid(), $1::uuid, m."productId", m."kind"::"inventory"."MovementKind", m."availableDelta", m."reservedDelta", m."reason", m."actorId", m."orderId"
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::uuid[])
              AS m("productId", "kind", "availableDelta", "reservedDelta", "reason", "actorId", "orderId")`,
      this.tenantId, movements.map((m) => m.productId), movements.map((m) => m.kind), movements.map((m) => m.availableDelta),
      movements.map((m) => m.reservedDelta), movements.map((m) => m.reason), movements.map((m) => m.actorId), movements.map((m) => m.orderId ?? null),
    );
  }
}
