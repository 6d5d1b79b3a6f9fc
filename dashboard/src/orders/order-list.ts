import type { DashboardOrdersQuery, OrderStatus } from '../generated/graphql';

export type OrderRow = DashboardOrdersQuery['orders']['edges'][number]['node'];

/**
 * How far along its life an order is. Orders only move forward (PENDING → CONFIRMED → SHIPPED →
 * DELIVERED, or PENDING | CONFIRMED → CANCELLED), so a lower rank is always an older state.
 */
const RANK: Record<OrderStatus, number> = { PENDING: 0, CONFIRMED: 1, SHIPPED: 2, DELIVERED: 3, CANCELLED: 3 };

/** Whether `next` may replace `current` as the state of the same order. */
export function isNotOlder(current: OrderStatus, next: OrderStatus): boolean {
  if (current === next) return true;
  if (current === 'DELIVERED' || current === 'CANCELLED') return false;
  return RANK[next] >= RANK[current];
}

/**
 * The orders the dashboard shows, by id, from two sources that may arrive in any order: pages of
 * the DashboardOrders query and results of the live subscription (which may start with a snapshot
 * of current state). A status never goes backwards, and a page read before a live result cannot
 * overwrite it: a query result only fills what no live result has touched since that query began.
 */
export class OrderList {
  private readonly rows = new Map<string, OrderRow>();
  /** The live results seen so far, numbered, to tell which came after a query began. */
  private liveSeq = 0;
  private readonly liveAt = new Map<string, number>();

  /** A marker to pass back with the query result that is read from now on. */
  queryStarted(): number {
    return this.liveSeq;
  }

  applyPage(nodes: readonly OrderRow[], startedAt: number): void {
    for (const node of nodes) {
      const touched = this.liveAt.get(node.id);
      if (touched !== undefined && touched > startedAt) continue;
      this.put(node);
    }
  }

  applyLive(node: OrderRow): void {
    this.liveSeq += 1;
    this.liveAt.set(node.id, this.liveSeq);
    this.put(node);
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  /** Newest first; ties (same instant) by id, so the order is stable. */
  sorted(status?: OrderStatus | null): OrderRow[] {
    const rows = [...this.rows.values()].filter((r) => !status || r.status === status);
    return rows.sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : Date.parse(b.createdAt) - Date.parse(a.createdAt)));
  }

  get size(): number {
    return this.rows.size;
  }

  private put(node: OrderRow): void {
    const current = this.rows.get(node.id);
    if (current && !isNotOlder(current.status, node.status)) return;
    this.rows.set(node.id, node);
  }
}
