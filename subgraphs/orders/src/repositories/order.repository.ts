import type { OrdersClient } from '../db.js';
import type { Order, OrderItem, OrderStatus, Prisma } from '../generated/prisma/client.js';

export interface OrderFilter {
  customerId?: string;
  status?: OrderStatus | null;
}

/** Orders of one tenant; the tenant is fixed at construction and part of every query. */
export class OrderRepository {
  constructor(
    private readonly db: OrdersClient,
    private readonly tenantId: string,
  ) {}

  private where(filter: OrderFilter): Prisma.OrderWhereInput {
    return {
      tenantId: this.tenantId,
      ...(filter.customerId ? { customerId: filter.customerId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    };
  }

  findByIds(ids: readonly string[]): Promise<Order[]> {
    return this.db.order.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  /** Newest first, keyset on (createdAt, id), `size + 1` rows. */
  page(filter: OrderFilter, size: number, after: { createdAt: Date; id: string } | null): Promise<Order[]> {
    return this.db.order.findMany({
      where: {
        AND: [
          this.where(filter),
          after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
        ],
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: size + 1,
    });
  }

  count(filter: OrderFilter): Promise<number> {
    return this.db.order.count({ where: this.where(filter) });
  }

  itemsOf(orderIds: readonly string[]): Promise<OrderItem[]> {
    return this.db.orderItem.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } }, orderBy: [{ orderId: 'asc' }, { position: 'asc' }] });
  }
}
