import { requireRole } from '#platform/auth';
import { NotFoundError, ValidationError, isId, requireId, requireInt, requireText } from '#platform/errors';
import { InventoryEvents } from '#contracts';
import { createEvent } from '#platform/events';
import type { InventoryContext, InventoryTransaction } from '../context.js';
import { InsufficientStockError } from '../errors.js';
import type { StockItem } from '../generated/prisma/client.js';

const LOW_STOCK_LIMIT = 500;

export class StockService {
  /**
   * Stock of a product of the caller's tenant. A product inventory has no record of (not yet told
   * of it, or another tenant's) has nothing in stock.
   */
  async forProduct(ctx: InventoryContext, productId: string): Promise<StockItem> {
    const stock = isId(productId) ? await ctx.loaders.stockByProductId.load(productId.toLowerCase()) : null;
    return stock ?? { id: productId, tenantId: ctx.tenantId, productId, available: 0, reserved: 0, updatedAt: new Date(0) };
  }

  async byReference(ctx: InventoryContext, id: string): Promise<StockItem | null> {
    return isId(id) ? ctx.loaders.stockByProductId.load(id.toLowerCase()) : null;
  }

  async lowStock(ctx: InventoryContext, threshold: number): Promise<StockItem[]> {
    requireRole(ctx.caller, 'ADMIN');
    requireInt(threshold, 'threshold', { min: 0, max: 1_000_000 });
    return ctx.repos.stock.below(threshold, LOW_STOCK_LIMIT);
  }

  /** Changes available units; refuses to go below zero; writes the ledger and an event with the change. */
  async adjust(ctx: InventoryContext, productIdArg: string, delta: number, reasonArg: string): Promise<StockItem> {
    const caller = requireRole(ctx.caller, 'ADMIN');
    const productId = requireId(productIdArg, 'productId');
    requireInt(delta, 'delta', { min: -1_000_000, max: 1_000_000 });
    if (delta === 0) throw new ValidationError('delta', 'delta must not be zero.');
    const reason = requireText(reasonArg, 'reason', { max: 500 });

    return ctx.transaction(async (tx) => {
      const { stock } = tx.repos;
      if (!(await stock.addAvailable(productId, delta))) {
        const [current] = await stock.findByProductIds([productId]);
        if (!current) throw new NotFoundError('Product', productId);
        throw new InsufficientStockError(current.available, delta);
      }
      await stock.recordMovement({ productId, kind: 'ADJUSTMENT', availableDelta: delta, reservedDelta: 0, reason, actorId: caller.userId });
      const [updated] = await stock.findByProductIds([productId]);
      await tx.emit(
        createEvent(InventoryEvents.adjusted, {
          tenantId: caller.tenantId,
          aggregateId: productId,
          payload: { productId, delta, available: updated!.available, reserved: updated!.reserved },
        }),
      );
      return updated!;
    });
  }

  /** A new product starts with an empty stock record, so admins can stock it. */
  async openRecord(tx: InventoryTransaction, productId: string): Promise<void> {
    await tx.repos.stock.createForProduct(productId);
  }
}
