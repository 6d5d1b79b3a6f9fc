import type { EventEnvelope, Outbox } from '#platform/events';
import type { OrdersClient } from '../db.js';
import type { Order, OrderItem, OrderStatus, Prisma } from '../generated/prisma/client.js';

/** An order's columns as raw SQL returns them (the status enum as text). */
const ORDER_COLUMNS = `"id", "tenantId", "customerId", "status"::text AS "status", "statusReason", "totalAmount", "currency", "idempotencyKey", "createdAt", "updatedAt"`;

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
   * The order and its lines in one statement, each line priced from orders' copy of the catalog,
   * unless the customer already used the idempotency key: then nothing is written and `order` is
   * null (a concurrent request with the key waits for the other's transaction and sees its order).
   * Nothing is written either when a line has no price here, the lines' currencies differ or the
   * total is over `maxTotal`: `accepted` is false, and the caller finds out why
   * (CatalogProductRepository). Lines keep the order they were given in.
   *
   * `placed` is written to the outbox by the same statement when the order is, its payload's `total`
   * the priced one: a statement is its own transaction, so the order and its event need no other.
   */
  async createPricedUnlessKeyUsed(
    order: { id: string; customerId: string; idempotencyKey: string; lines: { productId: string; quantity: number }[]; maxTotal: number },
    placed: { outbox: Outbox; event: EventEnvelope },
  ): Promise<{ order: Order | null; accepted: boolean }> {
    const announced = placed.outbox.cte(placed.event, {
      name: 'announced',
      from: 'created',
      first: 8,
      payload: (payload) => `jsonb_set(${payload}, '{total}', jsonb_build_object('amount', created."totalAmount", 'currency', created."currency"))`,
    });
    const [row] = await this.db.$queryRawUnsafe<(Order & { cartAccepted: boolean })[]>(
      `WITH priced AS (
         SELECT l."productId", l."quantity", l."n", p."priceAmount", p."currency"
           FROM unnest($5::uuid[], $6::int[]) WITH ORDINALITY AS l("productId", "quantity", "n")
           JOIN "orders"."CatalogProduct" p ON p."tenantId" = $2::uuid AND p."productId" = l."productId"),
       cart AS (
         SELECT count(*) = cardinality($5::uuid[]) AND count(DISTINCT "currency") = 1 AND sum("quantity"::bigint * "priceAmount") <= $7::bigint AS "cartAccepted",
                min("currency") AS "cartCurrency", sum("quantity"::bigint * "priceAmount") AS "cartTotal"
           FROM priced),
       created AS (
         INSERT INTO "orders"."Order" ("id", "tenantId", "customerId", "idempotencyKey", "currency", "totalAmount", "updatedAt")
         SELECT $1::uuid, $2::uuid, $3::uuid, $4, "cartCurrency", "cartTotal", clock_timestamp() AT TIME ZONE 'UTC' FROM cart WHERE "cartAccepted"
         ON CONFLICT ("tenantId", "customerId", "idempotencyKey") DO NOTHING
         RETURNING *),
       lines AS (
         INSERT INTO "orders"."OrderItem" ("id", "tenantId", "orderId", "productId", "quantity", "unitPriceAmount", "currency", "position")
         SELECT gen_random_uuid(), c."tenantId", c."id", p."productId", p."quantity", p."priceAmount", c."currency", p."n" - 1
           FROM created c, priced p),
       ${announced.sql}
       SELECT "cartAccepted", ${ORDER_COLUMNS} FROM cart LEFT JOIN created ON true`,
      order.id, this.tenantId, order.customerId, order.idempotencyKey,
      order.lines.map((l) => l.productId), order.lines.map((l) => l.quantity), order.maxTotal,
      ...announced.values,
    );
    const { cartAccepted, ...created } = row!;
    return { accepted: cartAccepted === true, order: cartAccepted && created.id ? (created as Order) : null };
  }

  /**
   * Moves an order to `to` only if it is in one of `from`: a conditional update, so concurrent
   * moves cannot both win. Returns the order after the move, or null when it did not apply: one
   * UPDATE … RETURNING.
   */
  async transition(id: string, from: readonly OrderStatus[], to: OrderStatus, statusReason: string | null): Promise<Order | null> {
    // raw SQL: the saga moves every order at least once
    const [order] = await this.db.$queryRawUnsafe<Order[]>(
      `UPDATE "orders"."Order"
          SET "status" = $4::"orders"."OrderStatus", "statusReason" = CASE WHEN $5 THEN $6 ELSE "statusReason" END, "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
        WHERE "tenantId" = $1::uuid AND "id" = $2::uuid AND "status" = ANY($3::text[]::"orders"."OrderStatus"[])
       RETURNING ${ORDER_COLUMNS}`,
      this.tenantId, id, [...from], to, statusReason !== null, statusReason,
    );
    return order ?? null;
  }

  itemsOf(orderIds: readonly string[]): Promise<OrderItem[]> {
    return this.db.orderItem.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } }, orderBy: [{ orderId: 'asc' }, { position: 'asc' }] });
  }
}
