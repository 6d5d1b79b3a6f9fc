import { storageError } from '#platform/db';
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

  /** Changed after `since`, least recently changed first. */
  changedSince(filter: OrderFilter, since: Date, limit: number): Promise<Order[]> {
    return this.db.order.findMany({
      where: { AND: [this.where(filter), { updatedAt: { gt: since } }] },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  count(filter: OrderFilter): Promise<number> {
    return this.db.order.count({ where: this.where(filter) });
  }

  findByIdempotencyKey(customerId: string, idempotencyKey: string): Promise<Order | null> {
    return this.db.order.findUnique({ where: { tenantId_customerId_idempotencyKey: { tenantId: this.tenantId, customerId, idempotencyKey } } });
  }

  /**
   * The order and its lines in one statement pair; lines keep the order they were given in.
   * Throws UniqueViolation when the customer already used the idempotency key.
   */
  async create(order: { customerId: string; idempotencyKey: string; currency: string; lines: { productId: string; quantity: number; unitPriceAmount: number }[] }): Promise<Order> {
    return this.db.order.create({
      data: {
        tenantId: this.tenantId,
        customerId: order.customerId,
        idempotencyKey: order.idempotencyKey,
        currency: order.currency,
        totalAmount: order.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceAmount, 0),
        items: {
          create: order.lines.map((line, position) => ({ ...line, tenantId: this.tenantId, currency: order.currency, position })),
        },
      },
    }).catch((error: unknown) => {
      throw storageError(error);
    });
  }

  /**
   * Moves an order to `to` only if it is in one of `from`: a conditional update, so concurrent
   * moves cannot both win. Returns the order after the move, or null when it did not apply: one
   * UPDATE … RETURNING.
   */
  async transition(id: string, from: readonly OrderStatus[], to: OrderStatus, statusReason: string | null): Promise<Order | null> {
    const [order] = await this.db.order.updateManyAndReturn({
      where: { tenantId: this.tenantId, id, status: { in: [...from] } },
      data: { status: to, ...(statusReason !== null ? { statusReason } : {}) },
    });
    return order ?? null;
  }

  itemsOf(orderIds: readonly string[]): Promise<OrderItem[]> {
    return this.db.orderItem.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } }, orderBy: [{ orderId: 'asc' }, { position: 'asc' }] });
  }
}
