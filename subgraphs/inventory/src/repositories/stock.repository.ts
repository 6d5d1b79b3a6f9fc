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
 * that moved them: tenant $1, reason $4, order $5.
 */
function ledgerInsert(kind: MovementKind, availableDelta: string, reservedDelta: string): string {
  return `INSERT INTO "inventory"."StockMovement" ("id", "tenantId", "productId", "kind", "availableDelta", "reservedDelta", "reason", "actorId", "orderId")
          SELECT gen_random_uuid(), $1::uuid, m."productId", '${kind}'::"inventory"."MovementKind", ${availableDelta}, ${reservedDelta}, $4, NULL, $5::uuid FROM moved m`;
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
   * latest values, updates them together and writes a RESERVATION ledger line for each. Returns
   * false, changing and recording nothing, when any line is short or has no stock record.
   */
  async reserveAll(lines: readonly { productId: string; quantity: number }[], ledger: OrderLedger): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<{ productId: string }[]>(
      `WITH wanted AS (SELECT * FROM unnest($2::uuid[], $3::int[]) AS w("productId", "quantity")),
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
       SELECT "productId" FROM moved`,
      this.tenantId, lines.map((l) => l.productId), lines.map((l) => l.quantity), ledger.reason, ledger.orderId,
    );
    return rows.length === lines.length;
  }

  /** Held units of every line leave the warehouse with a confirmed order, a COMMIT ledger line each (one statement). */
  async commitAllReserved(lines: readonly { productId: string; quantity: number }[], ledger: OrderLedger): Promise<void> {
    await this.db.$executeRawUnsafe(
      `WITH moved AS (
         UPDATE "inventory"."StockItem" s SET "reserved" = s."reserved" - w."quantity", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
           FROM unnest($2::uuid[], $3::int[]) AS w("productId", "quantity")
          WHERE s."tenantId" = $1::uuid AND s."productId" = w."productId" AND s."reserved" >= w."quantity"
         RETURNING s."productId", w."quantity")
       ${ledgerInsert('COMMIT', '0', '-m."quantity"')}`,
      this.tenantId, lines.map((l) => l.productId), lines.map((l) => l.quantity), ledger.reason, ledger.orderId,
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
}
