import type { InventoryClient } from '../db.js';
import type { MovementKind, StockItem } from '../generated/prisma/client.js';

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

  recordMovement(movement: { productId: string; kind: MovementKind; availableDelta: number; reservedDelta: number; reason: string; actorId: string | null; orderId?: string | null }): Promise<unknown> {
    return this.db.stockMovement.create({ data: { ...movement, tenantId: this.tenantId } });
  }
}
