/** One product's stock as the panel shows it. */
export interface StockLevel {
  productId: string;
  name: string;
  sku?: string;
  available: number;
  reserved: number;
}

/**
 * Stock levels by product from queries, mutation results and the live subscription. Each live
 * result is the level as the gateway read it after the change, and results for one product arrive
 * in order, so the latest live result wins; a query or mutation result only fills products that no
 * live result has updated since it was sent (it may have been read before that change).
 */
export class StockLevels {
  private readonly levels = new Map<string, StockLevel>();
  private liveSeq = 0;
  private readonly liveAt = new Map<string, number>();

  requestStarted(): number {
    return this.liveSeq;
  }

  applyRead(levels: readonly StockLevel[], startedAt: number): void {
    for (const level of levels) {
      const touched = this.liveAt.get(level.productId);
      if (touched !== undefined && touched > startedAt) continue;
      this.merge(level);
    }
  }

  applyLive(level: StockLevel): void {
    this.liveSeq += 1;
    this.liveAt.set(level.productId, this.liveSeq);
    this.merge(level);
  }

  get(productId: string): StockLevel | undefined {
    return this.levels.get(productId);
  }

  /** Products with fewer than `threshold` units available, fewest first. */
  low(threshold: number): StockLevel[] {
    return [...this.levels.values()].filter((l) => l.available < threshold).sort((a, b) => a.available - b.available || a.name.localeCompare(b.name));
  }

  private merge(level: StockLevel): void {
    const current = this.levels.get(level.productId);
    // Live results name the product but carry no sku; keep what a query told us.
    this.levels.set(level.productId, { ...current, ...level, sku: level.sku ?? current?.sku });
  }
}
