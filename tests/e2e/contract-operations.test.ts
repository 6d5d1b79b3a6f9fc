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

const storefront = (email: string, operationName: string, variables: Record<string, unknown> = {}) =>
  sg.client.as<any>(email, contract.storefront, variables, operationName);
const dashboard = (email: string, operationName: string, variables: Record<string, unknown> = {}) =>
  sg.client.as<any>(email, contract.dashboard, variables, operationName);

describe('the storefront contract', () => {
  it('signs a customer in and returns the user with a token', async () => {
    const result = await sg.client.request<any>(contract.storefront, { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' }, { operationName: 'Login' });
    expect(result.errors).toBeUndefined();
    expect(result.data.login.token).toMatch(/^ey/);
    expect(result.data.login.user).toMatchObject({ email: 'alice@acme.test', role: 'CUSTOMER', name: 'Alice Anders' });
  });

  it('pages through the catalog with cursors, prices, categories and stock', async () => {
    const first = await storefront('alice@acme.test', 'Catalog', { first: 50 });
    expect(first.products.totalCount).toBe(120);
    expect(first.products.edges).toHaveLength(50);
    expect(first.products.pageInfo.hasNextPage).toBe(true);
    const node = first.products.edges[0].node;
    expect(node.price.currency).toBe('USD');
    expect(Number.isInteger(node.price.amount)).toBe(true);
    expect(node.category.name).toEqual(expect.any(String));
    expect(node.stock.available).toEqual(expect.any(Number));

    const seen = new Set(first.products.edges.map((e: any) => e.node.id));
    let after = first.products.pageInfo.endCursor;
    let pages = 1;
    while (after) {
      const page = await storefront('alice@acme.test', 'Catalog', { first: 50, after });
      for (const edge of page.products.edges) seen.add(edge.node.id);
      after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen.size).toBe(120);
  });

  it('searches the catalog by name, case-insensitively', async () => {
    const result = await storefront('alice@acme.test', 'Catalog', { first: 10, search: 'blue mug' });
    expect(result.products.totalCount).toBe(1);
    expect(result.products.edges[0].node.name).toBe('Blue Mug');
  });

  it('shows one product with its description and stock', async () => {
    const catalog = await storefront('alice@acme.test', 'Catalog', { first: 1, search: 'Blue Mug' });
    const id = catalog.products.edges[0].node.id;
    const result = await storefront('alice@acme.test', 'Product', { id });
    expect(result.product).toMatchObject({ id, name: 'Blue Mug', stock: { available: 1, reserved: 0 } });
    expect(result.product.description).toContain('mug');
  });

  it("lists the customer's own orders through me", async () => {
    const result = await storefront('alice@acme.test', 'MyOrders', { first: 10 });
    expect(result.me.email).toBe('alice@acme.test');
    expect(result.me.orders.totalCount).toBeGreaterThanOrEqual(4);
    expect(result.me.orders.edges.map((e: any) => e.node.status)).toEqual(expect.arrayContaining(['DELIVERED', 'SHIPPED', 'CANCELLED']));
  });

  it('shows a shipped order with fields from all six subgraphs', async () => {
    const mine = await storefront('alice@acme.test', 'MyOrders', { first: 10 });
    const shipped = mine.me.orders.edges.find((e: any) => e.node.status === 'SHIPPED').node;
    const { order } = await storefront('alice@acme.test', 'Order', { id: shipped.id });
    expect(order.customer.email).toBe('alice@acme.test');
    expect(order.items.length).toBeGreaterThan(0);
    expect(order.items[0].product.name).toEqual(expect.any(String));
    expect(order.items[0].product.stock.available).toEqual(expect.any(Number));
    expect(order.total.amount).toBe(order.items.reduce((sum: number, i: any) => sum + i.quantity * i.unitPrice.amount, 0));
    expect(order.payment).toMatchObject({ status: 'CAPTURED', amount: order.total });
    expect(order.shipment).toMatchObject({ status: 'IN_TRANSIT', carrier: expect.any(String), trackingNumber: expect.any(String) });
  });
});

describe('the dashboard contract', () => {
  it("lists every order of the admin's tenant with customers, totals and items", async () => {
    const result = await dashboard('admin@acme.test', 'DashboardOrders', { first: 20 });
    expect(result.orders.totalCount).toBeGreaterThanOrEqual(4);
    const node = result.orders.edges[0].node;
    expect(node.customer.email).toBe('alice@acme.test');
    expect(node.items[0].product.name).toEqual(expect.any(String));
  });

  it('filters orders by status', async () => {
    const result = await dashboard('admin@acme.test', 'DashboardOrders', { first: 20, status: 'DELIVERED' });
    expect(result.orders.totalCount).toBeGreaterThanOrEqual(1);
    expect(result.orders.edges.every((e: any) => e.node.status === 'DELIVERED')).toBe(true);
  });

  it('lists low stock with product names from the catalog', async () => {
    const result = await dashboard('admin@acme.test', 'LowStock', { threshold: 10 });
    expect(result.lowStock.length).toBeGreaterThan(0);
    expect(result.lowStock.every((s: any) => s.available < 10)).toBe(true);
    expect(result.lowStock[0]).toMatchObject({ product: { id: expect.any(String), sku: expect.any(String), name: expect.any(String) } });
  });

  it('adjusts stock and records why', async () => {
    const { lowStock } = await dashboard('admin@acme.test', 'LowStock', { threshold: 10 });
    const target = lowStock[0];
    const result = await dashboard('admin@acme.test', 'AdjustStock', { productId: target.product.id, delta: 25, reason: 'Restock from supplier' });
    expect(result.adjustStock).toMatchObject({ product: { id: target.product.id, name: target.product.name }, available: target.available + 25 });
    const ledger = await sg.sql('inventory', `SELECT "reason", "availableDelta", "actorId" FROM "inventory"."StockMovement" WHERE "productId" = $1::uuid ORDER BY "createdAt" DESC LIMIT 1`, target.product.id);
    expect(ledger[0]).toMatchObject({ reason: 'Restock from supplier', availableDelta: 25, actorId: expect.any(String) });
  });

  it('creates a product that can then be found, stocked and ordered from', async () => {
    const { products } = await sg.client.as<any>('admin@acme.test', '{ products(first: 1) { edges { node { category { id } } } } }');
    const categoryId = products.edges[0].node.category.id;
    const input = { sku: 'NEW-LAMP-1', name: 'Aurora Lamp', description: 'Warm light.', price: { amount: 4599, currency: 'USD' }, categoryId };
    const result = await dashboard('admin@acme.test', 'CreateProduct', { input });
    expect(result.createProduct).toMatchObject({ sku: 'NEW-LAMP-1', name: 'Aurora Lamp', price: { amount: 4599, currency: 'USD' } });

    await sg.settle();
    const found = await storefront('alice@acme.test', 'Catalog', { first: 5, search: 'aurora' });
    expect(found.products.edges[0].node).toMatchObject({ name: 'Aurora Lamp', stock: { available: 0 } });
    const stocked = await dashboard('admin@acme.test', 'AdjustStock', { productId: result.createProduct.id, delta: 5, reason: 'First delivery' });
    expect(stocked.adjustStock.available).toBe(5);
    const [price] = await sg.sql('orders', `SELECT "priceAmount" FROM "orders"."CatalogProduct" WHERE "productId" = $1::uuid`, result.createProduct.id);
    expect(price).toMatchObject({ priceAmount: 4599 });
  });

  it('keeps admin operations from customers', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    for (const operationName of ['DashboardOrders', 'LowStock']) {
      const result = await sg.client.request(contract.dashboard, { first: 5, threshold: 5 }, { token, operationName });
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.data ?? null).toBeNull();
    }
  });
});
