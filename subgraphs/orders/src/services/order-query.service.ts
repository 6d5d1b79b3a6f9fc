import { canSeeCustomerRecord, requireIdentity, requireRole } from '#platform/auth';
import { ForbiddenError, isId, requireInt } from '#platform/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '#platform/subgraph';
import type { OrdersContext } from '../context.js';
import type { Order, OrderItem, OrderStatus } from '../generated/prisma/client.js';
import type { OrderFilter } from '../repositories/order.repository.js';

/** Row-level rule for orders: customers see their own, admins every order of their tenant. */
export const canSee = canSeeCustomerRecord;

/** Most orders one `ordersChangedSince` returns. */
export const CHANGED_SINCE_LIMIT = 100;

/** Reads of orders, always through the caller's visibility. */
export class OrderQueryService {
  async get(ctx: OrdersContext, id: string): Promise<Order | null> {
    const order = isId(id) ? await ctx.loaders.orderById.load(id.toLowerCase()) : null;
    return order && canSee(ctx.caller, order) ? order : null;
  }

  async listForTenant(ctx: OrdersContext, args: { first?: number | null; after?: string | null; status?: OrderStatus | null }): Promise<Connection<Order>> {
    requireRole(ctx.caller, 'ADMIN');
    return this.page(ctx, { status: args.status ?? null }, args.first, args.after);
  }

  async listForUser(ctx: OrdersContext, userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Order>> {
    const { caller } = ctx;
    if (caller.role !== 'ADMIN' && userId !== caller.userId) throw new ForbiddenError('Customers see only their own orders.');
    return this.page(ctx, { customerId: userId }, first, after);
  }

  /** What changed after `since` that the caller may see: their own orders, or (admins) the tenant's. */
  async changedSince(ctx: OrdersContext, since: Date, limit: number): Promise<Order[]> {
    const caller = requireIdentity(ctx.caller);
    requireInt(limit, 'limit', { min: 1, max: CHANGED_SINCE_LIMIT });
    return ctx.repos.orders.changedSince(caller.role === 'ADMIN' ? {} : { customerId: caller.userId }, since, limit);
  }

  items(ctx: OrdersContext, order: Pick<Order, 'id'>): Promise<OrderItem[]> {
    return ctx.loaders.itemsByOrderId.load(order.id);
  }

  private async page(ctx: OrdersContext, filter: OrderFilter, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Order>> {
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const [rows, total] = await Promise.all([
      ctx.repos.orders.page(filter, size, cursor ? { createdAt: new Date(String(cursor[0])), id: String(cursor[1]) } : null),
      ctx.repos.orders.count(filter),
    ]);
    return toConnection(rows, size, total, (o) => [o.createdAt.toISOString(), o.id]);
  }
}
