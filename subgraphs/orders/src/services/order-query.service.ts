import { canSeeCustomerRecord, requireRole } from '#platform/auth';
import { ForbiddenError, isId } from '#platform/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '#platform/subgraph';
import type { OrdersContextScope } from '../context.js';
import type { Order, OrderItem, OrderStatus } from '../generated/prisma/client.js';
import type { OrderFilter } from '../repositories/order.repository.js';

/** Row-level rule for orders: customers see their own, admins every order of their tenant. */
export const canSee = canSeeCustomerRecord;

/** Reads of orders, always through the caller's visibility. */
export class OrderQueryService {
  constructor(private readonly scope: OrdersContextScope) {}

  async get(id: string): Promise<Order | null> {
    const { caller, loaders } = this.scope();
    const order = isId(id) ? await loaders.orderById.load(id.toLowerCase()) : null;
    return order && canSee(caller, order) ? order : null;
  }

  async listForTenant(args: { first?: number | null; after?: string | null; status?: OrderStatus | null }): Promise<Connection<Order>> {
    requireRole(this.scope().caller, 'ADMIN');
    return this.page({ status: args.status ?? null }, args.first, args.after);
  }

  async listForUser(userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Order>> {
    const { caller } = this.scope();
    if (caller.role !== 'ADMIN' && userId !== caller.userId) throw new ForbiddenError("Customers see only their own orders.");
    return this.page({ customerId: userId }, first, after);
  }

  items(order: Pick<Order, 'id'>): Promise<OrderItem[]> {
    return this.scope().loaders.itemsByOrderId.load(order.id);
  }

  private async page(filter: OrderFilter, first: number | null | undefined, after: string | null | undefined): Promise<Connection<Order>> {
    const { orders } = this.scope();
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const [rows, total] = await Promise.all([
      orders.page(filter, size, cursor ? { createdAt: new Date(String(cursor[0])), id: String(cursor[1]) } : null),
      orders.count(filter),
    ]);
    return toConnection(rows, size, total, (o) => [o.createdAt.toISOString(), o.id]);
  }
}
