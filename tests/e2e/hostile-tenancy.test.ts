// Every operation of the client contract aimed at another tenant's ids, and at another customer's
// orders, through the gateway as a client sends it: the exact code (or nothing found), no foreign
// data in the answer, and no row changed anywhere.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { OrderEvents } from '#contracts';
import { createEvent } from '#platform/events';
import { codeOf } from '../harness/graphql-client.js';
import { accessToken, accountsSigningKey, expectNoDatabaseChange, expectRefusal } from '../harness/hostile.js';
import { LiveClient } from '../harness/live-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const globex = DEMO_TENANTS.find((t) => t.slug === 'globex')!;
const aliceOrder = acme.orders.find((o) => o.state === 'CONFIRMED') ?? acme.orders[2]!;
const acmeProduct = acme.products[7]!;
const globexProduct = globex.products[7]!;

let sg: TestSupergraph;
/** A customer of acme who is not alice: a real token for a user id of acme's that placed none of these orders. */
let otherAcmeCustomer: string;
const live: LiveClient[] = [];

beforeAll(async () => {
  sg = await startTestSupergraph();
  otherAcmeCustomer = await accessToken(await accountsSigningKey(sg), { sub: randomUUID(), tid: acme.id, role: 'CUSTOMER', sid: randomUUID() });
});
afterEach(async () => {
  await Promise.all(live.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await sg?.stop();
});

const storefront = async (token: string, operationName: string, variables: Record<string, unknown>) =>
  expectNoDatabaseChange(sg, () => sg.client.request<any>(contract.storefront, variables, { token, operationName }));
const dashboard = async (token: string, operationName: string, variables: Record<string, unknown>) =>
  expectNoDatabaseChange(sg, () => sg.client.request<any>(contract.dashboard, variables, { token, operationName }));
const tokenOf = (email: string) => sg.client.tokenFor(email);

describe('storefront operations at foreign ids', () => {
  it("Product: bob gets null for an acme product's id", async () => {
    const result = await storefront(await tokenOf('bob@globex.test'), 'Product', { id: acmeProduct.id });
    expect(result.errors).toBeUndefined();
    expect(result.data.product).toBeNull();
  });

  it("Order: bob gets null for alice's order, with nothing of its payment or shipment", async () => {
    const result = await storefront(await tokenOf('bob@globex.test'), 'Order', { id: aliceOrder.id });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ order: null });
  });

  it("Order: another acme customer gets null for alice's order", async () => {
    const result = await storefront(otherAcmeCustomer, 'Order', { id: aliceOrder.id });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ order: null });
  });

  it("CancelOrder: bob cannot cancel alice's order (NOT_FOUND) and it stays as it was", async () => {
    const result = await storefront(await tokenOf('bob@globex.test'), 'CancelOrder', { id: aliceOrder.id });
    expectRefusal(result, 'NOT_FOUND');
  });

  it("CancelOrder: another acme customer cannot cancel alice's order (NOT_FOUND)", async () => {
    const result = await storefront(otherAcmeCustomer, 'CancelOrder', { id: aliceOrder.id });
    expectRefusal(result, 'NOT_FOUND');
  });

  it('PlaceOrder: bob cannot order an acme product (BAD_USER_INPUT on the line) and no order appears', async () => {
    const result = await storefront(await tokenOf('bob@globex.test'), 'PlaceOrder', { input: { idempotencyKey: randomUUID(), items: [{ productId: acmeProduct.id, quantity: 1 }] } });
    expectRefusal(result, 'BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('input.items[0].productId');
  });

  it("Catalog: bob's search for an acme product's exact sku finds nothing of acme's", async () => {
    const result = await storefront(await tokenOf('bob@globex.test'), 'Catalog', { first: 50, search: acmeProduct.sku });
    expect(result.errors).toBeUndefined();
    expect(result.data.products.edges.map((e: any) => e.node.id)).not.toContain(acmeProduct.id);
    for (const edge of result.data.products.edges) expect(edge.node.price.currency).toBe('EUR');
  });

  it("Catalog: a cursor from acme's catalog pages bob through globex's products only", async () => {
    const acmePage = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 3 }, 'Catalog');
    const result = await storefront(await tokenOf('bob@globex.test'), 'Catalog', { first: 50, after: acmePage.products.pageInfo.endCursor });
    expect(result.errors).toBeUndefined();
    for (const edge of result.data.products.edges) expect(edge.node.price.currency).toBe('EUR');
  });

  it("MyOrders: another acme customer sees none of alice's orders", async () => {
    const result = await storefront(otherAcmeCustomer, 'MyOrders', { first: 20 });
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect(result.data ?? null).toBeNull();
  });
});

describe('dashboard operations at foreign ids', () => {
  it('AdjustStock: the globex admin cannot touch an acme product (NOT_FOUND)', async () => {
    const result = await dashboard(await tokenOf('admin@globex.test'), 'AdjustStock', { productId: acmeProduct.id, delta: 10, reason: 'hostile' });
    expectRefusal(result, 'NOT_FOUND');
  });

  it('CreateProduct: the globex admin cannot file a product under an acme category (BAD_USER_INPUT)', async () => {
    const input = { sku: `HOSTILE-${Date.now()}`, name: 'Hostile Lamp', price: { amount: 100, currency: 'EUR' }, categoryId: acme.categories[0]!.id };
    const result = await dashboard(await tokenOf('admin@globex.test'), 'CreateProduct', { input });
    expectRefusal(result, 'BAD_USER_INPUT');
  });

  it("DashboardOrders: the globex admin's list holds no acme order", async () => {
    const result = await dashboard(await tokenOf('admin@globex.test'), 'DashboardOrders', { first: 100 });
    expect(result.errors).toBeUndefined();
    const ids = result.data.orders.edges.map((e: any) => e.node.id);
    expect(ids).not.toContain(aliceOrder.id);
    expect(result.data.orders.edges.every((e: any) => e.node.total.currency === 'EUR')).toBe(true);
  });

  it('LowStock: the globex admin sees no acme stock', async () => {
    const result = await dashboard(await tokenOf('admin@globex.test'), 'LowStock', { threshold: 1_000_000 });
    expect(result.errors).toBeUndefined();
    expect(result.data.lowStock.map((s: any) => s.product.id)).not.toContain(acmeProduct.id);
  });

  it('dashboard operations refuse a customer aiming at another tenant with FORBIDDEN before anything runs', async () => {
    const result = await dashboard(await tokenOf('bob@globex.test'), 'AdjustStock', { productId: acmeProduct.id, delta: 10, reason: 'hostile' });
    expectRefusal(result, 'FORBIDDEN', 403);
  });
});

describe('subscriptions at foreign ids', () => {
  const connect = async (email: string) => {
    const client = await LiveClient.connect(sg.gateway.url, await tokenOf(email));
    live.push(client);
    return client;
  };

  it("LiveStock: the globex admin subscribed to acme product ids never hears of acme's stock", async () => {
    const globexAdmin = await connect('admin@globex.test');
    const spy = globexAdmin.subscribe(contract.dashboard, { productIds: [acmeProduct.id, globexProduct.id] }, 'LiveStock');
    // the subscription is running once the globex product's own change arrives
    let globexChange: any;
    for (let attempt = 0; attempt < 20 && !globexChange; attempt += 1) {
      await sg.client.as<any>('admin@globex.test', contract.dashboard, { productId: globexProduct.id, delta: 1, reason: 'sentinel' }, 'AdjustStock');
      globexChange = await spy.waitFor('the globex change', (r) => r.data?.stockChanged?.product.id === globexProduct.id, 1_000).catch(() => undefined);
    }
    expect(globexChange).toBeDefined();
    await sg.client.as<any>('admin@acme.test', contract.dashboard, { productId: acmeProduct.id, delta: 1, reason: 'acme change' }, 'AdjustStock');
    await sg.client.as<any>('admin@globex.test', contract.dashboard, { productId: globexProduct.id, delta: 1, reason: 'after' }, 'AdjustStock');
    await spy.waitFor('the second globex change', (r) => r.data?.stockChanged?.product.id === globexProduct.id && r !== globexChange);
    expect(spy.results.map((r) => r.data?.stockChanged?.product.id)).not.toContain(acmeProduct.id);
  });

  it("OrderUpdated: bob subscribed to alice's order id never hears of it", async () => {
    const bob = await connect('bob@globex.test');
    const spy = bob.subscribe(contract.storefront, { id: aliceOrder.id }, 'OrderUpdated');
    const bobsOrder = globex.orders.find((o) => o.state === 'CONFIRMED') ?? globex.orders[2]!;
    const mine = bob.subscribe(contract.storefront, { id: bobsOrder.id }, 'OrderUpdated');
    let heard = false;
    for (let attempt = 0; attempt < 20 && !heard; attempt += 1) {
      await sg.bus.publish(createEvent(OrderEvents.confirmed as never, { tenantId: acme.id, aggregateId: aliceOrder.id, payload: { orderId: aliceOrder.id, customerId: aliceOrder.customerId } as never }));
      await sg.bus.publish(createEvent(OrderEvents.confirmed as never, { tenantId: globex.id, aggregateId: bobsOrder.id, payload: { orderId: bobsOrder.id, customerId: bobsOrder.customerId } as never }));
      heard = Boolean(await mine.waitFor("bob's own order", (r) => r.data?.orderUpdated?.id === bobsOrder.id, 1_000).catch(() => undefined));
    }
    expect(heard).toBe(true);
    const refusals = spy.results.filter((r) => r.data?.orderUpdated);
    expect(refusals).toEqual([]);
  });
});
