import { requireRole } from '#platform/auth';
import { NotFoundError, ValidationError, isId, requireId, requireInt, requireText } from '#platform/errors';
import { InventoryEvents } from '#contracts';
import { createEvent } from '#platform/events';
import type { InventoryContextScope, InventoryRuntime } from '../context.js';
import { InsufficientStockError } from '../errors.js';
import type { StockItem } from '../generated/prisma/client.js';
import { StockRepository } from '../repositories/stock.repository.js';

const LOW_STOCK_LIMIT = 500;

export class StockService {
  constructor(
    private readonly scope: InventoryContextScope,
    private readonly runtime: InventoryRuntime,
  ) {}

  /**
   * Stock of a product of the caller's tenant. A product inventory has no record of (not yet told
   * of it, or another tenant's) has nothing in stock.
   */
  async forProduct(productId: string): Promise<StockItem> {
    const { loaders, caller } = this.scope();
    const stock = isId(productId) ? await loaders.stockByProductId.load(productId.toLowerCase()) : null;
    return stock ?? { id: productId, tenantId: caller.tenantId, productId, available: 0, reserved: 0, updatedAt: new Date(0) };
  }

  async byReference(id: string): Promise<StockItem | null> {
    return isId(id) ? this.scope().loaders.stockByProductId.load(id.toLowerCase()) : null;
  }

  async lowStock(threshold: number): Promise<StockItem[]> {
    requireRole(this.scope().caller, 'ADMIN');
    requireInt(threshold, 'threshold', { min: 0, max: 1_000_000 });
    return this.scope().stock.below(threshold, LOW_STOCK_LIMIT);
  }

  /** Changes available units; refuses to go below zero; writes the ledger and an event with the change. */
  async adjust(productIdArg: string, delta: number, reasonArg: string): Promise<StockItem> {
    const caller = requireRole(this.scope().caller, 'ADMIN');
    const productId = requireId(productIdArg, 'productId');
    requireInt(delta, 'delta', { min: -1_000_000, max: 1_000_000 });
    if (delta === 0) throw new ValidationError('delta', 'delta must not be zero.');
    const reason = requireText(reasonArg, 'reason', { max: 500 });

    return this.runtime.uow.execute(async (tx, events) => {
      const stock = new StockRepository(tx, caller.tenantId);
      if (!(await stock.addAvailable(productId, delta))) {
        const [current] = await stock.findByProductIds([productId]);
        if (!current) throw new NotFoundError('Product', productId);
        throw new InsufficientStockError(current.available, delta);
      }
      await stock.recordMovement({ productId, kind: 'ADJUSTMENT', availableDelta: delta, reservedDelta: 0, reason, actorId: caller.userId });
      const [updated] = await stock.findByProductIds([productId]);
      await events.emit(
        createEvent(InventoryEvents.adjusted, {
          tenantId: caller.tenantId,
          aggregateId: productId,
          payload: { productId, delta, available: updated!.available, reserved: updated!.reserved },
        }),
      );
      return updated!;
    });
  }
}
