import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../harness/graphql-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

let sg: TestSupergraph;
beforeAll(async () => {
  sg = await startTestSupergraph();
});
afterAll(async () => {
  await sg?.stop();
});

const ALICE = 'alice@acme.test';
const ADMIN = 'admin@acme.test';

async function productNamed(name: string): Promise<{ id: string; price: { amount: number }; stock: { available: number; reserved: number } }> {
  const { products } = await sg.client.as<any>(ADMIN, 'query($s: String) { products(first: 5, search: $s) { edges { node { id name price { amount } stock { available reserved } } } } }', { s: name });
  const node = products.edges.find((e: any) => e.node.name === name)?.node;
  if (!node) throw new Error(`no product named ${name}`);
  return node;
}

async function stockOf(productId: string): Promise<{ available: number; reserved: number }> {
  const { product } = await sg.client.as<any>(ADMIN, 'query($id: ID!) { product(id: $id) { stock { available reserved } } }', { id: productId });
  return product.stock;
}

/** Sets a product's available units to exactly `units` through the admin mutation. */
async function stockExactly(productId: string, units: number): Promise<void> {
  const { available } = await stockOf(productId);
  if (available !== units) {
    await sg.client.as(ADMIN, contract.dashboard, { productId, delta: units - available, reason: 'Test setup' }, 'AdjustStock');
  }
}

async function place(email: string, items: { productId: string; quantity: number }[], idempotencyKey = randomUUID()) {
  return sg.client.as<any>(email, contract.storefront, { input: { idempotencyKey, items } }, 'PlaceOrder');
}

async function orderById(email: string, id: string) {
  return (await sg.client.as<any>(email, contract.storefront, { id }, 'Order')).order;
}

describe('checkout saga', () => {
  it('confirms an order with a captured payment and a shipment, taking the units out of stock', async () => {
    const product = await productNamed('Green Skillet');
    const before = await stockOf(product.id);
    const { placeOrder } = await place(ALICE, [{ productId: product.id, quantity: 2 }]);
    expect(placeOrder).toMatchObject({ status: 'PENDING', total: { amount: product.price.amount * 2 } });
    expect(placeOrder.items[0]).toMatchObject({ quantity: 2, unitPrice: { amount: product.price.amount }, product: { id: product.id, name: 'Green Skillet' } });

    await sg.settle();
    const order = await orderById(ALICE, placeOrder.id);
    expect(order.status).toBe('CONFIRMED');
    expect(order.statusReason).toBeNull();
    expect(order.payment).toMatchObject({ status: 'CAPTURED', amount: { amount: product.price.amount * 2, currency: 'USD' } });
    expect(order.shipment).toMatchObject({ status: 'PENDING', carrier: expect.any(String), trackingNumber: expect.stringMatching(/^TRK/) });
    expect(await stockOf(product.id)).toEqual({ available: before.available - 2, reserved: 0 });
  });

  it('cancels an order when stock is short, with a reason a person can read, and leaves stock untouched', async () => {
    const mug = await productNamed('Blue Mug');
    await stockExactly(mug.id, 1);
    const { placeOrder } = await place(ALICE, [{ productId: mug.id, quantity: 2 }]);
    await sg.settle();
    const order = await orderById(ALICE, placeOrder.id);
    expect(order).toMatchObject({ status: 'CANCELLED', statusReason: "Only 1 of 'Blue Mug' left", payment: null, shipment: null });
    expect(await stockOf(mug.id)).toEqual({ available: 1, reserved: 0 });
  });

  it('cancels an order whose payment is declined and releases the reserved stock', async () => {
    const product = await productNamed('Red Teapot');
    const quantity = Math.ceil(1_000_001 / product.price.amount);
    await stockExactly(product.id, quantity + 5);
    const { placeOrder } = await place(ALICE, [{ productId: product.id, quantity }]);
    await sg.settle();
    const order = await orderById(ALICE, placeOrder.id);
    expect(order.status).toBe('CANCELLED');
    expect(order.statusReason).toMatch(/^Payment declined/);
    expect(order.payment.status).toBe('FAILED');
    expect(await stockOf(product.id)).toEqual({ available: quantity + 5, reserved: 0 });
  });

  it('cancels a confirmed order on request: refunds, restocks and stops the shipment', async () => {
    const product = await productNamed('Green Desk Lamp');
    const before = await stockOf(product.id);
    const { placeOrder } = await place(ALICE, [{ productId: product.id, quantity: 3 }]);
    await sg.settle();
    expect((await orderById(ALICE, placeOrder.id)).status).toBe('CONFIRMED');

    const { cancelOrder } = await sg.client.as<any>(ALICE, contract.storefront, { id: placeOrder.id }, 'CancelOrder');
    expect(cancelOrder).toEqual({ id: placeOrder.id, status: 'CANCELLED', statusReason: 'Cancelled by the customer' });
    await sg.settle();
    const order = await orderById(ALICE, placeOrder.id);
    expect(order.payment.status).toBe('REFUNDED');
    expect(order.shipment.status).toBe('CANCELLED');
    expect(await stockOf(product.id)).toEqual(before);
  });

  it('cancels a pending order before it is charged and never charges it', async () => {
    const product = await productNamed('Yellow Teapot');
    const before = await stockOf(product.id);
    await sg.subgraphs.inventory.relay.stop();
    try {
      const { placeOrder } = await place(ALICE, [{ productId: product.id, quantity: 1 }]);
      const { cancelOrder } = await sg.client.as<any>(ALICE, contract.storefront, { id: placeOrder.id }, 'CancelOrder');
      expect(cancelOrder.status).toBe('CANCELLED');
      // Payments hears of the cancellation before the reservation (held back in inventory's outbox)
      // is published; in the other order the charge would land and its refund be requested and made.
      await sg.subgraphs.orders.relay.flush();
      await sg.bus.drain();
      sg.subgraphs.inventory.relay.start();
      await sg.settle();
      const order = await orderById(ALICE, placeOrder.id);
      expect(order.status).toBe('CANCELLED');
      expect(order.payment).toMatchObject({ status: 'FAILED' });
      expect(await stockOf(product.id)).toEqual(before);
    } finally {
      sg.subgraphs.inventory.relay.start();
    }
  });

  it('settles an order placed and cancelled at once: cancelled, no charge kept, stock back', async () => {
    const product = await productNamed('Yellow Teapot');
    const before = await stockOf(product.id);
    await sg.subgraphs.orders.relay.stop();
    let orderId: string;
    try {
      orderId = (await place(ALICE, [{ productId: product.id, quantity: 1 }])).placeOrder.id;
      await sg.client.as<any>(ALICE, contract.storefront, { id: orderId }, 'CancelOrder');
      // Held back, then published together: orders.order.placed and orders.order.cancelled.
    } finally {
      sg.subgraphs.orders.relay.start();
    }
    await sg.settle();
    const order = await orderById(ALICE, orderId);
    expect(order.status).toBe('CANCELLED');
    expect(['FAILED', 'REFUNDED']).toContain(order.payment.status);
    expect(await stockOf(product.id)).toEqual(before);
  });

  it('refuses to cancel a shipped order with a clear code and changes nothing', async () => {
    const product = await productNamed('Green Skillet');
    const { placeOrder } = await place(ALICE, [{ productId: product.id, quantity: 1 }]);
    await sg.settle();
    const confirmed = await orderById(ALICE, placeOrder.id);
    await sg.client.as(ADMIN, 'mutation($id: ID!) { updateShipmentStatus(id: $id, status: SHIPPED) { id status } }', { id: confirmed.shipment.id });
    await sg.settle();
    expect((await orderById(ALICE, placeOrder.id)).status).toBe('SHIPPED');

    const token = await sg.client.tokenFor(ALICE);
    const refused = await sg.client.request<any>(contract.storefront, { id: placeOrder.id }, { token, operationName: 'CancelOrder' });
    expect(codeOf(refused)).toBe('ORDER_NOT_CANCELLABLE');
    await sg.settle();
    const order = await orderById(ALICE, placeOrder.id);
    expect(order).toMatchObject({ status: 'SHIPPED', payment: { status: 'CAPTURED' }, shipment: { status: 'SHIPPED' } });

    await sg.client.as(ADMIN, 'mutation($id: ID!) { updateShipmentStatus(id: $id, status: DELIVERED) { id status } }', { id: confirmed.shipment.id });
    await sg.settle();
    expect((await orderById(ALICE, placeOrder.id)).status).toBe('DELIVERED');
  });

  it('returns the first order for a repeated idempotency key, also when the requests race', async () => {
    const product = await productNamed('Green Skillet');
    const key = randomUUID();
    const first = await place(ALICE, [{ productId: product.id, quantity: 1 }], key);
    const again = await place(ALICE, [{ productId: product.id, quantity: 1 }], key);
    expect(again.placeOrder.id).toBe(first.placeOrder.id);

    const raced = randomUUID();
    const results = await Promise.all(Array.from({ length: 6 }, () => place(ALICE, [{ productId: product.id, quantity: 1 }], raced)));
    expect(new Set(results.map((r) => r.placeOrder.id)).size).toBe(1);
    const rows = await sg.sql<{ n: number }>('orders', `SELECT count(*)::int AS n FROM "orders"."Order" WHERE "idempotencyKey" = $1`, raced);
    expect(rows[0]?.n).toBe(1);
    await sg.settle();
  });

  it('does not oversell under contention: 40 one-unit orders on 10 units confirm exactly 10', async () => {
    const product = await productNamed('Grey Mug');
    await stockExactly(product.id, 10);
    await sg.settle();
    const shoppers = [ALICE, ADMIN];
    const placed = await Promise.all(Array.from({ length: 40 }, (_, i) => place(shoppers[i % 2]!, [{ productId: product.id, quantity: 1 }])));
    await sg.settle();
    const ids = placed.map((p) => p.placeOrder.id);
    const rows = await sg.sql<{ status: string; n: number }>('orders', `SELECT "status", count(*)::int AS n FROM "orders"."Order" WHERE "id" = ANY($1::uuid[]) GROUP BY "status"`, ids);
    const counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    expect(counts).toEqual({ CONFIRMED: 10, CANCELLED: 30 });
    expect(await stockOf(product.id)).toEqual({ available: 0, reserved: 0 });
    const payments = await sg.sql<{ n: number }>('payments', `SELECT count(*)::int AS n FROM "payments"."Payment" WHERE "orderId" = ANY($1::uuid[]) AND "status" = 'CAPTURED'`, ids);
    expect(payments[0]?.n).toBe(10);
  });

  it('rejects bad orders with clear codes and writes nothing', async () => {
    const product = await productNamed('Green Skillet');
    const token = await sg.client.tokenFor(ALICE);
    const [{ n: before }] = (await sg.sql<{ n: number }>('orders', `SELECT count(*)::int AS n FROM "orders"."Order"`)) as [{ n: number }];
    const cases: [unknown[], string][] = [
      [[], 'input.items'],
      [[{ productId: product.id, quantity: 0 }], 'input.items[0].quantity'],
      [[{ productId: product.id, quantity: 1001 }], 'input.items[0].quantity'],
      [[{ productId: 'not-an-id', quantity: 1 }], 'input.items[0].productId'],
      [[{ productId: randomUUID(), quantity: 1 }], 'input.items[0].productId'],
      [[{ productId: product.id, quantity: 1 }, { productId: product.id, quantity: 2 }], 'input.items[1].productId'],
      [Array.from({ length: 101 }, () => ({ productId: product.id, quantity: 1 })), 'input.items'],
    ];
    for (const [items, field] of cases) {
      const result = await sg.client.request<any>(contract.storefront, { input: { idempotencyKey: randomUUID(), items } }, { token, operationName: 'PlaceOrder' });
      expect(codeOf(result), field).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    const globexProduct = await sg.sql<{ productId: string }>('orders', `SELECT "productId" FROM "orders"."CatalogProduct" WHERE "sku" = (SELECT "sku" FROM "orders"."CatalogProduct" WHERE "productId" = $1::uuid) AND "tenantId" <> (SELECT "tenantId" FROM "orders"."CatalogProduct" WHERE "productId" = $1::uuid)`, product.id);
    const foreign = await sg.client.request<any>(contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: globexProduct[0]!.productId, quantity: 1 }] } }, { token, operationName: 'PlaceOrder' });
    expect(codeOf(foreign)).toBe('BAD_USER_INPUT');
    const [{ n: after }] = (await sg.sql<{ n: number }>('orders', `SELECT count(*)::int AS n FROM "orders"."Order"`)) as [{ n: number }];
    expect(after).toBe(before);
  });

  it('has one effect when the same event is delivered twice', async () => {
    const product = await productNamed('Purple Kettle');
    const before = await stockOf(product.id);
    const { placeOrder } = await place(ALICE, [{ productId: product.id, quantity: 2 }]);
    await sg.settle();
    const [row] = await sg.sql<{ id: string; type: string; tenantId: string; aggregateType: string; aggregateId: string; payload: unknown; occurredAt: Date; version: number }>(
      'orders', `SELECT "id", "type", "version", "tenantId", "aggregateType", "aggregateId", "payload", "occurredAt" FROM "orders"."OutboxEvent" WHERE "aggregateId" = $1 AND "type" = 'orders.order.placed'`, placeOrder.id);
    const event = { ...row!, occurredAt: new Date(row!.occurredAt).toISOString(), traceparent: null };
    // Straight to inventory's consumer, past the bus's own de-duplication: only the inbox stands in the way.
    const [consumer] = sg.subgraphs.inventory.consumers;
    await consumer!.handler(event as never);
    await consumer!.handler(event as never);
    await sg.settle();
    expect(await stockOf(product.id)).toEqual({ available: before.available - 2, reserved: 0 });
    const reservations = await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."Reservation" WHERE "orderId" = $1::uuid`, placeOrder.id);
    expect(reservations[0]?.n).toBe(1);
    expect((await orderById(ALICE, placeOrder.id)).status).toBe('CONFIRMED');
  });

  it('delivers an event committed while the relay was down once the relay is back', async () => {
    const product = await productNamed('Purple Kettle');
    await sg.subgraphs.orders.relay.stop();
    let orderId: string;
    try {
      orderId = (await place(ALICE, [{ productId: product.id, quantity: 1 }])).placeOrder.id;
      await sg.bus.drain();
      const pending = await sg.sql<{ n: number }>('orders', `SELECT count(*)::int AS n FROM "orders"."OutboxEvent" WHERE "aggregateId" = $1 AND "publishedAt" IS NULL`, orderId);
      expect(pending[0]?.n).toBe(1);
      expect((await orderById(ALICE, orderId)).status).toBe('PENDING');
    } finally {
      sg.subgraphs.orders.relay.start();
    }
    await sg.settle();
    expect((await orderById(ALICE, orderId)).status).toBe('CONFIRMED');
  });

  it("does not let a customer cancel another customer's order", async () => {
    const mine = await sg.client.as<any>(ALICE, contract.storefront, { first: 1 }, 'MyOrders');
    const token = await sg.client.tokenFor('bob@globex.test');
    const result = await sg.client.request<any>(contract.storefront, { id: mine.me.orders.edges[0].node.id }, { token, operationName: 'CancelOrder' });
    expect(codeOf(result)).toBe('NOT_FOUND');
  });
});
