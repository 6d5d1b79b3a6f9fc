import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { OrderEvents, PaymentEvents, ShipmentEvents } from '#contracts';
import { createEvent } from '#platform/events';
import { registry } from '#platform/observability';
import { eventually, LiveClient } from '../harness/live-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';
import { TestTokens } from '../harness/test-tokens.js';

// Live subscriptions through the gateway over a real graphql-ws socket, on the embedded stack.
// Order events are published on the bus here where a test needs an order to change on cue.

let sg: TestSupergraph;
let tokens: TestTokens;
const clients: LiveClient[] = [];

const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const GLOBEX = DEMO_TENANTS.find((t) => t.slug === 'globex')!;
const ALICE = ACME.users.find((u) => u.role === 'CUSTOMER')!;
const ACME_ADMIN = ACME.users.find((u) => u.role === 'ADMIN')!;

beforeAll(async () => {
  tokens = await TestTokens.create();
  sg = await startTestSupergraph({ ...tokens.env, JWT_CLOCK_TOLERANCE_SECONDS: '0' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await sg?.stop();
});

async function connect(email: string | null): Promise<LiveClient> {
  const client = await LiveClient.connect(sg.gateway.url, email ? await sg.client.tokenFor(email) : null);
  clients.push(client);
  return client;
}

async function connectWith(token: string): Promise<LiveClient> {
  const client = await LiveClient.connect(sg.gateway.url, token);
  clients.push(client);
  return client;
}

/** Subscribes and waits until the gateway runs the subscription, so events published next reach it. */
async function subscribed(client: LiveClient, document: string, variables: Record<string, unknown>, operationName: string, field: string) {
  const before = await counter('gateway_subscriptions', { field });
  const live = client.subscribe(document, variables, operationName);
  await eventually(`${operationName} to be running`, async () => (await counter('gateway_subscriptions', { field })) > before);
  return live;
}

async function adjust(email: string, productId: string, delta: number): Promise<{ available: number; reserved: number }> {
  const { adjustStock } = await sg.client.as<any>(email, contract.dashboard, { productId, delta, reason: 'Subscription test' }, 'AdjustStock');
  return adjustStock;
}

/** Publishes an order event the way a subgraph's outbox relay would. */
async function publish(definition: { type: string; version: number; aggregateType: string }, tenantId: string, orderId: string, payload: Record<string, unknown>) {
  await sg.bus.publish(createEvent(definition as never, { tenantId, aggregateId: orderId, payload: { orderId, ...payload } as never }));
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value)).reduce((sum, v) => sum + v.value, 0);
}

describe('LiveStock', () => {
  it("streams an admin's stock adjustment with the product's name from the catalog", async () => {
    const mug = ACME.products[3]!;
    const admin = await connect('admin@acme.test');
    const live = await subscribed(admin, contract.dashboard, { productIds: [mug.id] }, 'LiveStock', 'stockChanged');
    // the first answer (the stock as it is now) comes before any change is made
    await live.waitFor('the first answer', (r) => r.extensions?.snapshot === true);

    const after = await adjust('admin@acme.test', mug.id, 3);
    const event = await live.waitFor('the adjustment', (r) => r.data?.stockChanged?.available === after.available);
    expect(event.errors).toBeUndefined();
    expect(event.data).toEqual({ stockChanged: { product: { id: mug.id, name: mug.name }, available: after.available, reserved: after.reserved } });
  });

  it('answers LiveStock for named products at once with their stock as it is now', async () => {
    const kettle = ACME.products[5]!;
    const now = await adjust('admin@acme.test', kettle.id, 2);
    const admin = await connect('admin@acme.test');
    const live = admin.subscribe(contract.dashboard, { productIds: [kettle.id] }, 'LiveStock');
    const first = await live.waitFor('the stock as it is now', (r) => r.data?.stockChanged?.product?.id === kettle.id);
    expect(first.data!.stockChanged).toEqual({ product: { id: kettle.id, name: kettle.name }, available: now.available, reserved: now.reserved });
    expect(first.extensions).toMatchObject({ snapshot: true });
  });

  it("gives every product of the admin's tenant without productIds, and never another tenant's", async () => {
    const acmeAdmin = await connect('admin@acme.test');
    const globexAdmin = await connect('admin@globex.test');
    const acmeLive = await subscribed(acmeAdmin, contract.dashboard, {}, 'LiveStock', 'stockChanged');
    const globexLive = await subscribed(globexAdmin, contract.dashboard, {}, 'LiveStock', 'stockChanged');
    const acmeKettle = ACME.products[8]!;
    const globexKettle = GLOBEX.products[8]!;

    const acmeAfter = await adjust('admin@acme.test', acmeKettle.id, 2);
    await acmeLive.waitFor('the acme adjustment', (r) => r.data?.stockChanged?.product.id === acmeKettle.id && r.data.stockChanged.available === acmeAfter.available);
    // the globex admin's next event is their own adjustment: the acme one never reached them
    const globexAfter = await adjust('admin@globex.test', globexKettle.id, 2);
    await globexLive.waitFor('the globex adjustment', (r) => r.data?.stockChanged?.product.id === globexKettle.id && r.data.stockChanged.available === globexAfter.available);
    expect(globexLive.results.map((r) => r.data?.stockChanged.product.id)).not.toContain(acmeKettle.id);
    expect(acmeLive.results.map((r) => r.data?.stockChanged.product.id)).not.toContain(globexKettle.id);
  });

  it('streams the reservation of an order and the commit when it is confirmed', async () => {
    const product = ACME.products[27]!;
    const admin = await connect('admin@acme.test');
    const live = await subscribed(admin, contract.dashboard, { productIds: [product.id] }, 'LiveStock', 'stockChanged');
    const { product: before } = await sg.client.as<any>('admin@acme.test', contract.storefront, { id: product.id }, 'Product');

    await sg.subgraphs.payments.relay.stop();
    try {
      await sg.client.as('alice@acme.test', contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: product.id, quantity: 2 }] } }, 'PlaceOrder');
      const reserved = await live.waitFor('the reservation', (r) => r.data?.stockChanged?.reserved === before.stock.reserved + 2);
      expect(reserved.data!.stockChanged).toEqual({ product: { id: product.id, name: product.name }, available: before.stock.available - 2, reserved: before.stock.reserved + 2 });
    } finally {
      sg.subgraphs.payments.relay.start();
    }
    const committed = await live.waitFor('the commit', (r) => r.data?.stockChanged?.reserved === before.stock.reserved && r.data?.stockChanged?.available === before.stock.available - 2);
    expect(committed.errors).toBeUndefined();
    await sg.settle();
  });

  it('refuses LiveStock to a customer with FORBIDDEN', async () => {
    const alice = await connect('alice@acme.test');
    const errors = await alice.subscribe(contract.dashboard, {}, 'LiveStock').refusal();
    expect(errors[0]!.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('orderUpdated', () => {
  const shipped = ACME.orders.find((o) => o.state === 'SHIPPED')!;
  const confirmed = ACME.orders.find((o) => o.state === 'CONFIRMED')!;

  it('answers a customer at once with their order as it is, payment and shipment included, and an admin LiveOrders with the customer email', async () => {
    const alice = await connect('alice@acme.test');
    const admin = await connect('admin@acme.test');
    const mine = await subscribed(alice, contract.storefront, { id: shipped.id }, 'OrderUpdated', 'orderUpdated');
    const dashboard = await subscribed(admin, contract.dashboard, {}, 'LiveOrders', 'orderUpdated');

    const first = await mine.waitFor('the order as it is now', (r) => r.data?.orderUpdated?.id === shipped.id);
    expect(first.errors).toBeUndefined();
    expect(first.data!.orderUpdated).toMatchObject({ id: shipped.id, status: 'SHIPPED', payment: { status: expect.any(String) }, shipment: { status: expect.any(String) } });
    expect(first.extensions).toMatchObject({ snapshot: true });

    const unchanged = await counter('gateway_subscription_results_dropped_total', { reason: 'unchanged_or_older' });
    await publish(ShipmentEvents.inTransit, ACME.id, shipped.id, { shipmentId: randomUUID(), customerId: ALICE.id });
    const row = await dashboard.waitFor('the shipment event on the dashboard', (r) => r.data?.orderUpdated?.id === shipped.id);
    expect(row.data!.orderUpdated).toMatchObject({ id: shipped.id, status: 'SHIPPED', customer: { email: ALICE.email }, total: { amount: shipped.totalAmount, currency: 'USD' } });
    expect(row.extensions?.event?.id).toEqual(expect.any(String));
    // the event changed nothing the customer's subscription selects: no second, identical result
    await eventually('the unchanged result to be dropped', async () => (await counter('gateway_subscription_results_dropped_total', { reason: 'unchanged_or_older' })) > unchanged);
    expect(mine.results.filter((r) => r.data?.orderUpdated?.id === shipped.id)).toHaveLength(1);
  });

  it("shows a customer their new order go PENDING → CONFIRMED with the payment captured, and the admin's LiveOrders with the customer's email", async () => {
    const alice = await connect('alice@acme.test');
    const admin = await connect('admin@acme.test');
    const mine = await subscribed(alice, contract.storefront, {}, 'OrderUpdated', 'orderUpdated');
    const dashboard = await subscribed(admin, contract.dashboard, {}, 'LiveOrders', 'orderUpdated');
    const product = ACME.products[21]!;

    // payments holds its events back until the PENDING order has been seen: the order cannot be confirmed before
    await sg.subgraphs.payments.relay.stop();
    let orderId: string;
    try {
      const { placeOrder } = await sg.client.as<any>('alice@acme.test', contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: product.id, quantity: 1 }] } }, 'PlaceOrder');
      orderId = placeOrder.id;
      await mine.waitFor('the order PENDING', (r) => r.data?.orderUpdated?.id === orderId && r.data.orderUpdated.status === 'PENDING');
    } finally {
      sg.subgraphs.payments.relay.start();
    }
    const confirmed = await mine.waitFor('the order CONFIRMED', (r) => r.data?.orderUpdated?.id === orderId && r.data.orderUpdated.status === 'CONFIRMED');
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.orderUpdated).toMatchObject({ id: orderId, status: 'CONFIRMED', statusReason: null, payment: { status: 'CAPTURED' } });
    // the event behind it: its id, when it occurred and, no earlier, when its transaction committed
    const { event } = confirmed.extensions as { event: { id: string; occurredAt: string; committedAt: string } };
    expect(event).toEqual({ id: expect.any(String), occurredAt: expect.any(String), committedAt: expect.any(String) });
    expect(Date.parse(event.committedAt)).toBeGreaterThanOrEqual(Date.parse(event.occurredAt));
    const statuses = mine.results.filter((r) => r.data?.orderUpdated?.id === orderId).map((r) => r.data!.orderUpdated.status);
    expect(statuses[0]).toBe('PENDING');
    expect(statuses.indexOf('CONFIRMED')).toBeGreaterThan(statuses.lastIndexOf('PENDING'));

    const row = await dashboard.waitFor('the order CONFIRMED on the dashboard', (r) => r.data?.orderUpdated?.id === orderId && r.data.orderUpdated.status === 'CONFIRMED');
    expect(row.data!.orderUpdated).toEqual({ id: orderId, status: 'CONFIRMED', customer: { email: ALICE.email }, total: { amount: product.priceAmount, currency: 'USD' } });
    await sg.settle();
  });

  it('catches a customer up with `since`: the orders they may see that changed after it, each as it is now', async () => {
    const since = new Date().toISOString();
    const product = ACME.products[22]!;
    const { placeOrder } = await sg.client.as<any>('alice@acme.test', contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: product.id, quantity: 1 }] } }, 'PlaceOrder');
    await sg.settle();

    const alice = await connect('alice@acme.test');
    const document = 'subscription Since($since: DateTime) { orderUpdated(since: $since) { id status payment { status } } }';
    const mine = alice.subscribe(document, { since }, 'Since');
    const caughtUp = await mine.waitFor('the order placed after `since`', (r) => r.data?.orderUpdated?.id === placeOrder.id);
    expect(caughtUp.data!.orderUpdated).toEqual({ id: placeOrder.id, status: 'CONFIRMED', payment: { status: 'CAPTURED' } });
    expect(caughtUp.extensions).toMatchObject({ snapshot: true });
    // nothing that changed before `since`
    expect(mine.results.map((r) => r.data?.orderUpdated?.id)).toEqual([placeOrder.id]);

    // the list behind it is the orders subgraph's, with its row rules: another customer's holds none of alice's
    const changed = 'query Changed($since: DateTime!) { ordersChangedSince(since: $since) { id } }';
    const stranger = await sg.client.request<any>(changed, { since }, { token: await tokens.sign({ userId: randomUUID(), tenantId: ACME.id, role: 'CUSTOMER' }) });
    expect(stranger.data).toEqual({ ordersChangedSince: [] });
    const globexAdmin = await sg.client.request<any>(changed, { since }, { token: await sg.client.tokenFor('admin@globex.test') });
    expect(globexAdmin.data.ordersChangedSince.map((o: { id: string }) => o.id)).not.toContain(placeOrder.id);
  });

  it("keeps a tenant's orders from another tenant's admin and from another customer", async () => {
    const globexAdmin = await connect('admin@globex.test');
    const bob = await connect('bob@globex.test');
    const globexDashboard = await subscribed(globexAdmin, contract.dashboard, {}, 'LiveOrders', 'orderUpdated');
    const bobAsksForAlices = await subscribed(bob, contract.storefront, { id: confirmed.id }, 'OrderUpdated', 'orderUpdated');
    const bobsOwn = await subscribed(bob, contract.storefront, {}, 'OrderUpdated', 'orderUpdated');

    await publish(OrderEvents.confirmed, ACME.id, confirmed.id, { customerId: ALICE.id });
    // a globex order event after it: once it arrives, the acme one had its chance and did not come
    const bobsOrder = GLOBEX.orders[0]!;
    await publish(OrderEvents.confirmed, GLOBEX.id, bobsOrder.id, { customerId: bobsOrder.customerId });
    await globexDashboard.waitFor('the globex order event', (r) => r.data?.orderUpdated?.id === bobsOrder.id);
    await bobsOwn.waitFor("bob's own order event", (r) => r.data?.orderUpdated?.id === bobsOrder.id);
    expect(globexDashboard.results.map((r) => r.data?.orderUpdated?.id)).toEqual([bobsOrder.id]);
    expect(bobsOwn.results.map((r) => r.data?.orderUpdated?.id)).toEqual([bobsOrder.id]);
    expect(bobAsksForAlices.results).toEqual([]);
  });

  it("sends an order event that names no customer to the tenant's admins only, and asks no customer's subscription", async () => {
    const strangerId = randomUUID();
    const stranger = await connectWith(await tokens.sign({ userId: strangerId, tenantId: ACME.id, role: 'CUSTOMER' }));
    const all = await subscribed(stranger, contract.storefront, {}, 'OrderUpdated', 'orderUpdated');
    const admin = await connect('admin@acme.test');
    const dashboard = await subscribed(admin, contract.dashboard, {}, 'LiveOrders', 'orderUpdated');
    const executions = async () =>
      (await Promise.all(['delivered', 'not_visible', 'unavailable', 'failed'].map((outcome) => counter('gateway_subscription_events_total', { field: 'orderUpdated', outcome })))).reduce((a, b) => a + b, 0);
    const before = await executions();

    const delivered = ACME.orders.find((o) => o.state === 'DELIVERED')!;
    await publish(PaymentEvents.captured, ACME.id, delivered.id, { paymentId: randomUUID(), amount: { amount: delivered.totalAmount, currency: 'USD' } });
    // then an event naming the stranger, of an order that is not theirs: the orders subgraph refuses it
    const hidden = await counter('gateway_subscription_events_total', { field: 'orderUpdated', outcome: 'not_visible' });
    await publish(PaymentEvents.captured, ACME.id, randomUUID(), { customerId: strangerId, paymentId: randomUUID(), amount: { amount: 100, currency: 'USD' } });
    await dashboard.waitFor('the ownerless event on the dashboard', (r) => r.data?.orderUpdated?.id === delivered.id);
    await eventually('the orders subgraph to refuse the second twice', async () => (await counter('gateway_subscription_events_total', { field: 'orderUpdated', outcome: 'not_visible' })) >= hidden + 2);
    // the dashboard's execution of the first; the second refused to the dashboard and to the stranger
    // (the order does not exist); the first never asked about for the stranger
    expect(await executions()).toBe(before + 3);
    expect(all.results).toEqual([]);
  });
});

describe('the socket', () => {
  it('refuses a connection without a token with 4401', async () => {
    const anonymous = await LiveClient.connect(sg.gateway.url, null);
    expect((await anonymous.closed).code).toBe(4401);
  });

  it('refuses a token it cannot verify with 4401', async () => {
    const forged = await LiveClient.connect(sg.gateway.url, 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl');
    expect((await forged.closed).code).toBe(4401);
  });

  it('closes the socket with 4401 when the token expires', async () => {
    const shortLived = await tokens.sign({ userId: ACME_ADMIN.id, tenantId: ACME.id, role: 'ADMIN' }, 2);
    const admin = await connectWith(shortLived);
    const live = await subscribed(admin, contract.dashboard, {}, 'LiveOrders', 'orderUpdated');
    const closed = await admin.closed;
    expect(closed).toEqual({ code: 4401, reason: 'Token expired' });
    await eventually('the subscription to end with the socket', () => live.failure);
  });

  it('answers a query sent over the socket with a pointer to HTTP', async () => {
    const admin = await connect('admin@acme.test');
    const errors = await admin.subscribe('query { __typename }').refusal();
    expect(errors[0]!.extensions?.code).toBe('BAD_REQUEST');
  });
});
