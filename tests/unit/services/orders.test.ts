import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogEvents, InventoryEvents, OrderEvents, PaymentEvents, ShipmentEvents } from '#contracts';
import type { OrdersData } from '../../../subgraphs/orders/src/context.js';
import type { OrdersServices } from '../../../subgraphs/orders/src/services/index.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';
import { refusalOf } from '../../harness/errors.js';

let orders: ServiceHarness<OrdersData, OrdersServices>;
const alice = identityOf(ACME, 'CUSTOMER');
const acmeAdmin = identityOf(ACME, 'ADMIN');
const bob = identityOf(GLOBEX, 'CUSTOMER');
const mug = ACME.products.find((p) => p.name === 'Blue Mug')!;
const kettle = ACME.products.find((p) => p.name === 'Purple Kettle')!;

beforeAll(async () => {
  orders = await serviceHarness<OrdersData, OrdersServices>('orders');
});

afterAll(async () => {
  await orders.close();
});

const place = (identity = alice, items = [{ productId: kettle.id, quantity: 2 }], idempotencyKey = randomUUID()) =>
  orders.services.checkout.place(orders.as(identity), { idempotencyKey, items });

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { extensions?: { code?: string } }) => error.extensions?.code ?? String(error));

describe('OrderCommandService.place', () => {
  it("prices every line from orders' copy of the catalog and writes the order PENDING with its placed event", async () => {
    const order = await place(alice, [{ productId: kettle.id, quantity: 2 }]);
    expect(order).toMatchObject({ status: 'PENDING', customerId: alice.userId, totalAmount: 2 * kettle.priceAmount, currency: 'USD' });
    const [placed] = (await orders.outbox('orders.order.placed')).filter((e) => e.aggregateId === order.id);
    expect(placed!.payload).toEqual({ orderId: order.id, customerId: alice.userId, lines: [{ productId: kettle.id, quantity: 2 }], total: { amount: 2 * kettle.priceAmount, currency: 'USD' } });
  });

  it('returns the first order for a key the customer already used with the same cart, and writes nothing more', async () => {
    const key = randomUUID();
    const cart = [{ productId: kettle.id, quantity: 2 }, { productId: mug.id, quantity: 1 }];
    const first = await place(alice, cart, key);
    const before = (await orders.outbox('orders.order.placed')).length;
    const again = await place(alice, [...cart].reverse(), key);
    expect(again.id).toBe(first.id);
    expect((await orders.outbox('orders.order.placed')).length).toBe(before);
  });

  it('refuses a used key with a different cart with CONFLICT, naming the first order, and writes nothing', async () => {
    const key = randomUUID();
    const first = await place(alice, undefined, key);
    const before = (await orders.outbox('orders.order.placed')).length;
    for (const cart of [[{ productId: mug.id, quantity: 1 }], [{ productId: kettle.id, quantity: 3 }], [{ productId: kettle.id, quantity: 2 }, { productId: mug.id, quantity: 1 }]]) {
      expect(await refusalOf(place(alice, cart, key))).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey', orderId: first.id });
    }
    expect((await orders.outbox('orders.order.placed')).length).toBe(before);
  });

  it('gives two racing requests with one key one order', async () => {
    const key = randomUUID();
    const [a, b] = await Promise.all([place(alice, undefined, key), place(alice, undefined, key)]);
    expect(a.id).toBe(b.id);
    expect(await orders.sql(`SELECT "id" FROM "orders"."Order" WHERE "idempotencyKey" = $1`, key)).toHaveLength(1);
  });

  it("refuses a product of another tenant's shop as bad input and writes nothing", async () => {
    const globexProduct = GLOBEX.products[0]!;
    const before = await orders.sql(`SELECT count(*)::int AS n FROM "orders"."Order"`);
    expect(await codeOf(place(alice, [{ productId: globexProduct.id, quantity: 1 }]))).toBe('BAD_USER_INPUT');
    expect(await orders.sql(`SELECT count(*)::int AS n FROM "orders"."Order"`)).toEqual(before);
  });

  it('writes the priced order, its lines and its event, with the priced total, in one statement', async () => {
    const before = orders.subgraph.runtime.statements.total;
    const order = await place(alice, [{ productId: kettle.id, quantity: 1 }, { productId: mug.id, quantity: 3 }]);
    expect(orders.subgraph.runtime.statements.total - before).toBe(1);
    expect(order.totalAmount).toBe(kettle.priceAmount + 3 * mug.priceAmount);
    expect(await orders.sql(`SELECT "productId", "quantity", "unitPriceAmount", "position" FROM "orders"."OrderItem" WHERE "orderId" = $1 ORDER BY "position"`, order.id)).toEqual([
      { productId: kettle.id, quantity: 1, unitPriceAmount: kettle.priceAmount, position: 0 },
      { productId: mug.id, quantity: 3, unitPriceAmount: mug.priceAmount, position: 1 },
    ]);
    const [placed] = await orders.sql<{ type: string; payload: unknown }>(`SELECT "type", "payload" FROM "orders"."OutboxEvent" WHERE "aggregateId" = $1`, order.id);
    expect(placed).toEqual({
      type: OrderEvents.placed.type,
      payload: {
        orderId: order.id,
        customerId: order.customerId,
        lines: [{ productId: kettle.id, quantity: 1 }, { productId: mug.id, quantity: 3 }],
        total: { amount: kettle.priceAmount + 3 * mug.priceAmount, currency: order.currency },
      },
    });
  });

  it('names the line whose product has no price, and refuses a cart mixing currencies, writing nothing', async () => {
    const euroThing = randomUUID();
    await orders.deliver(CatalogEvents.productCreated, { tenantId: ACME.id, aggregateId: euroThing, payload: { productId: euroThing, sku: 'EUR-1', name: 'Euro Thing', price: { amount: 900, currency: 'EUR' } } });
    const before = await orders.sql(`SELECT count(*)::int AS n FROM "orders"."Order"`);
    expect(await refusalOf(place(alice, [{ productId: kettle.id, quantity: 1 }, { productId: randomUUID(), quantity: 1 }]))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.items[1].productId' });
    expect(await refusalOf(place(alice, [{ productId: kettle.id, quantity: 1 }, { productId: euroThing, quantity: 1 }]))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.items' });
    expect(await orders.sql(`SELECT count(*)::int AS n FROM "orders"."Order"`)).toEqual(before);
    expect(await place(alice, [{ productId: euroThing, quantity: 2 }])).toMatchObject({ totalAmount: 1800, currency: 'EUR' });
  });

  it('answers a used key before pricing a new cart: the first order for its retry, CONFLICT for a cart that cannot be priced', async () => {
    const key = randomUUID();
    const first = await place(alice, undefined, key);
    expect((await place(alice, undefined, key)).id).toBe(first.id);
    expect(await refusalOf(place(alice, [{ productId: randomUUID(), quantity: 1 }], key))).toMatchObject({ code: 'CONFLICT', orderId: first.id });
  });

  it('refuses empty orders, repeated products, zero quantities and malformed ids with the field that is wrong', async () => {
    const fieldOf = (items: { productId: string; quantity: number }[]) =>
      place(alice, items).then(() => null, (error: { extensions: { code: string; field: string } }) => [error.extensions.code, error.extensions.field]);
    expect(await fieldOf([])).toEqual(['BAD_USER_INPUT', 'input.items']);
    expect(await fieldOf([{ productId: kettle.id, quantity: 1 }, { productId: kettle.id, quantity: 1 }])).toEqual(['BAD_USER_INPUT', 'input.items[1].productId']);
    expect(await fieldOf([{ productId: kettle.id, quantity: 0 }])).toEqual(['BAD_USER_INPUT', 'input.items[0].quantity']);
    expect(await fieldOf([{ productId: 'not-an-id', quantity: 1 }])).toEqual(['BAD_USER_INPUT', 'input.items[0].productId']);
  });

  it('refuses an order whose total is more than an order can carry as bad input, and writes nothing', async () => {
    const productId = randomUUID();
    await orders.deliver(CatalogEvents.productCreated, { tenantId: ACME.id, aggregateId: productId, payload: { productId, sku: 'PRICEY-1', name: 'Pricey Thing', price: { amount: 1_000_000_000, currency: 'USD' } } });
    const before = await orders.sql(`SELECT count(*)::int AS n FROM "orders"."Order"`);
    expect(await refusalOf(place(alice, [{ productId, quantity: 3 }]))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.items' });
    const other = randomUUID();
    await orders.deliver(CatalogEvents.productCreated, { tenantId: ACME.id, aggregateId: other, payload: { productId: other, sku: 'PRICEY-2', name: 'Another Pricey Thing', price: { amount: 1_200_000_000, currency: 'USD' } } });
    // each line fits, their sum does not
    expect(await refusalOf(place(alice, [{ productId, quantity: 1 }, { productId: other, quantity: 1 }]))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.items' });
    expect(await orders.sql(`SELECT count(*)::int AS n FROM "orders"."Order"`)).toEqual(before);
    // two of them fit (2,000,000,000 minor units): the limit is the total, not the price
    expect(await place(alice, [{ productId, quantity: 2 }])).toMatchObject({ totalAmount: 2_000_000_000, status: 'PENDING' });
  });

  it('refuses an anonymous caller', async () => {
    expect(await codeOf(place(null as never))).toBe('UNAUTHENTICATED');
  });
});

describe('OrderCommandService.cancel', () => {
  it("does not let a customer cancel another tenant's order: it is not found", async () => {
    const order = await place(alice);
    expect(await codeOf(orders.services.checkout.cancel(orders.as(bob), order.id))).toBe('NOT_FOUND');
  });

  it('cancels an order an admin of the shop cancels, saying so, with a cancelled event that asks for the money back', async () => {
    const order = await place(alice);
    const cancelled = await orders.services.checkout.cancel(orders.as(acmeAdmin), order.id);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', statusReason: 'Cancelled by the shop' });
    const [event] = (await orders.outbox('orders.order.cancelled')).filter((e) => e.aggregateId === order.id);
    expect(event!.payload).toMatchObject({ requested: true, reason: 'Cancelled by the shop', total: { amount: order.totalAmount, currency: 'USD' } });
  });

  it('refuses to cancel a shipped order with ORDER_NOT_CANCELLABLE', async () => {
    const order = await place(alice);
    await orders.deliver(PaymentEvents.captured, { tenantId: ACME.id, aggregateId: order.id, payload: { orderId: order.id, customerId: alice.userId, paymentId: randomUUID(), amount: { amount: 1, currency: 'USD' } } });
    await orders.deliver(ShipmentEvents.shipped, { tenantId: ACME.id, aggregateId: order.id, payload: { orderId: order.id, shipmentId: randomUUID(), customerId: alice.userId } });
    expect(await codeOf(orders.services.checkout.cancel(orders.as(alice), order.id))).toBe('ORDER_NOT_CANCELLABLE');
  });
});

describe("orders' part of the saga", () => {
  it('confirms a pending order once its payment is captured, once however often the event comes', async () => {
    const order = await place(alice);
    const captured = await orders.deliver(PaymentEvents.captured, {
      tenantId: ACME.id, aggregateId: order.id, payload: { orderId: order.id, customerId: alice.userId, paymentId: randomUUID(), amount: { amount: order.totalAmount, currency: 'USD' } },
    });
    await orders.redeliver(captured);
    expect(await orders.services.orders.get(orders.as(alice), order.id)).toMatchObject({ status: 'CONFIRMED' });
    expect((await orders.outbox('orders.order.confirmed')).filter((e) => e.aggregateId === order.id)).toHaveLength(1);
  });

  it("cancels for short stock with a reason a person can read, from orders' own product names", async () => {
    const order = await place(alice, [{ productId: mug.id, quantity: 3 }]);
    await orders.deliver(InventoryEvents.reservationFailed, { tenantId: ACME.id, aggregateId: order.id, payload: { orderId: order.id, shortages: [{ productId: mug.id, requested: 3, available: 1 }] } });
    expect(await orders.services.orders.get(orders.as(alice), order.id)).toMatchObject({ status: 'CANCELLED', statusReason: "Only 1 of 'Blue Mug' left" });
  });

  it('ends a delivery reported before its pickup in DELIVERED', async () => {
    const order = await place(alice);
    await orders.deliver(PaymentEvents.captured, { tenantId: ACME.id, aggregateId: order.id, payload: { orderId: order.id, customerId: alice.userId, paymentId: randomUUID(), amount: { amount: 1, currency: 'USD' } } });
    await orders.deliver(ShipmentEvents.delivered, { tenantId: ACME.id, aggregateId: order.id, payload: { orderId: order.id, shipmentId: randomUUID(), customerId: alice.userId } });
    expect(await orders.services.orders.get(orders.as(alice), order.id)).toMatchObject({ status: 'DELIVERED' });
  });

  it("keeps new catalog products in its price list, so they can be ordered at the catalog's price", async () => {
    const productId = randomUUID();
    await orders.deliver(CatalogEvents.productCreated, { tenantId: ACME.id, aggregateId: productId, payload: { productId, sku: 'NEW-1', name: 'New Thing', price: { amount: 1234, currency: 'USD' } } });
    expect(await place(alice, [{ productId, quantity: 1 }])).toMatchObject({ totalAmount: 1234, currency: 'USD' });
  });
});

describe('OrderQueryService', () => {
  it("shows a customer their own orders only, and an admin every order of the tenant", async () => {
    const order = await place(alice);
    expect(await orders.services.orders.get(orders.as(acmeAdmin), order.id)).toMatchObject({ id: order.id });
    expect(await orders.services.orders.get(orders.as(bob), order.id)).toBeNull();
    expect(await codeOf(orders.services.orders.listForUser(orders.as(alice), acmeAdmin.userId, 5, null))).toBe('FORBIDDEN');
    expect(await codeOf(orders.services.orders.listForTenant(orders.as(alice), { first: 5 }))).toBe('FORBIDDEN');
  });

  it('lists what changed after `since` that the caller may see, least recently changed first', async () => {
    const since = new Date(Date.now() - 1);
    const first = await place(alice);
    const second = await place(alice, [{ productId: mug.id, quantity: 1 }]);
    const mine = await orders.services.orders.changedSince(orders.as(alice), since, 100);
    expect(mine.map((o) => o.id)).toEqual([first.id, second.id]);
    expect((await orders.services.orders.changedSince(orders.as(acmeAdmin), since, 100)).map((o) => o.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(await orders.services.orders.changedSince(orders.as(bob), since, 100)).toEqual([]);
    expect(await orders.services.orders.changedSince(orders.as(alice), new Date(Date.now() + 60_000), 100)).toEqual([]);
    expect(await codeOf(orders.services.orders.changedSince(orders.as(alice), since, 101))).toBe('BAD_USER_INPUT');
  });
});
