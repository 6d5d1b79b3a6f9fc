import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { GATEWAY_CREDENTIAL_HEADER, GatewayCredentialSigner, loadGatewayCredentialSecret, subgraphCredentialKey } from '#platform/auth';
import type { SubgraphName } from '#contracts';
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

const count = (...args: Parameters<TestSupergraph['count']>) => sg.count(...args);

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const globex = DEMO_TENANTS.find((t) => t.slug === 'globex')!;
const userOf = (email: string) => [...acme.users, ...globex.users].find((u) => u.email === email)!;
const alice = userOf('alice@acme.test');
const acmeAdmin = userOf('admin@acme.test');
const bob = userOf('bob@globex.test');
// a product with stock, so that a leak of its level would show
const acmeProduct = acme.products.find((p) => p.available >= 20 && p.name !== 'Blue Mug')!;
const aliceOrder = acme.orders[0]!;

async function tokenOf(email: string): Promise<string> {
  return sg.client.tokenFor(email);
}

/** The key the gateway MACs one subgraph's credentials with, derived as the gateway derives it. */
const gatewayKey = (subgraph: SubgraphName) =>
  subgraphCredentialKey(loadGatewayCredentialSecret({ secret: sg.gatewayConfig.edge.credential.secret, dataDir: sg.gatewayConfig.dataDir }), subgraph);

type Caller = { userId: string; tenantId: string; role: 'ADMIN' | 'CUSTOMER' };

/**
 * A GraphQL request sent straight to one subgraph, as the gateway sends it: with a credential signed
 * with the gateway's key for this subgraph (derived from the development secret in DATA_DIR unless one is configured), for this body and this caller.
 * This is what a compromised or buggy gateway path could send; the subgraph must still scope by tenant.
 */
async function subgraphRequest(subgraph: SubgraphName, identity: Caller, query: string, variables: Record<string, unknown>) {
  const signer = new GatewayCredentialSigner(gatewayKey(subgraph), subgraph, 30);
  const body = JSON.stringify({ query, variables });
  const credential = signer.sign({ body, requestId: randomUUID(), identity });
  const response = await fetch(sg.subgraphs[subgraph].url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_CREDENTIAL_HEADER]: credential },
    body,
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

describe('products of another tenant', () => {
  it("returns null when a globex admin asks for an acme product by id", async () => {
    const token = await tokenOf('admin@globex.test');
    const result = await sg.client.request<any>('query($id: ID!) { product(id: $id) { id name } }', { id: acmeProduct.id }, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data.product).toBeNull();
  });

  it('shows the acme product to acme callers, so the null above is isolation and not a missing row', async () => {
    const result = await sg.client.as<any>('alice@acme.test', 'query($id: ID!) { product(id: $id) { id name } }', { id: acmeProduct.id });
    expect(result.product).toMatchObject({ id: acmeProduct.id, name: acmeProduct.name });
  });

  it("lists no acme product in globex's catalog", async () => {
    const globexCount = await count('catalog', `SELECT count(*)::int AS n FROM "catalog"."Product" WHERE "tenantId" = $1::uuid`, globex.id);
    const acmeRows = await sg.sql<{ id: string }>('catalog', `SELECT "id"::text AS id FROM "catalog"."Product" WHERE "tenantId" = $1::uuid`, acme.id);
    const acmeIds = new Set(acmeRows.map((r) => r.id));
    expect(acmeIds.size).toBeGreaterThan(0);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await sg.client.as<any>(
        'admin@globex.test',
        'query($first: Int!, $after: String) { products(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id price { currency } } } } }',
        { first: 100, after },
      );
      expect(page.products.totalCount).toBe(globexCount);
      for (const edge of page.products.edges) {
        seen.push(edge.node.id);
        expect(edge.node.price.currency).toBe('EUR');
      }
      after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
    } while (after);

    expect(seen).toHaveLength(globexCount);
    expect(seen.filter((id) => acmeIds.has(id))).toEqual([]);
  });

  it("finds no acme product when globex searches for an acme product's exact name", async () => {
    const globexMatches = await count(
      'catalog',
      `SELECT count(*)::int AS n FROM "catalog"."Product" WHERE "tenantId" = $1::uuid AND (strpos(lower("name"), lower($2)) > 0 OR strpos(lower("sku"), lower($2)) > 0 OR strpos(lower("description"), lower($2)) > 0)`,
      globex.id,
      acmeProduct.name,
    );
    const result = await sg.client.as<any>('bob@globex.test', contract.storefront, { first: 50, search: acmeProduct.name }, 'Catalog');
    expect(result.products.totalCount).toBe(globexMatches);
    for (const edge of result.products.edges) expect(edge.node.price.currency).toBe('EUR');
    expect(result.products.edges.map((e: any) => e.node.id)).not.toContain(acmeProduct.id);
  });

  it("filters globex's low stock to globex products only", async () => {
    const globexIds = new Set(
      (await sg.sql<{ id: string }>('catalog', `SELECT "id"::text AS id FROM "catalog"."Product" WHERE "tenantId" = $1::uuid`, globex.id)).map((r) => r.id),
    );
    const expected = await count(
      'inventory',
      `SELECT count(*)::int AS n FROM "inventory"."StockItem" WHERE "tenantId" = $1::uuid AND "available" < 1000000`,
      globex.id,
    );
    const result = await sg.client.as<any>('admin@globex.test', '{ lowStock(threshold: 1000000) { product { id } available } }');
    expect(result.lowStock.length).toBe(Math.min(expected, 500));
    expect(result.lowStock.length).toBeGreaterThan(0);
    for (const stock of result.lowStock) expect(globexIds.has(stock.product.id)).toBe(true);
  });
});

describe('orders of another tenant or another customer', () => {
  it("returns null when bob (globex customer) asks for alice's order", async () => {
    const token = await tokenOf('bob@globex.test');
    const result = await sg.client.request<any>(contract.storefront, { id: aliceOrder.id }, { token, operationName: 'Order' });
    expect(result.errors).toBeUndefined();
    expect(result.data.order).toBeNull();
  });

  it("returns null when the globex admin asks for alice's order", async () => {
    const token = await tokenOf('admin@globex.test');
    const result = await sg.client.request<any>(contract.storefront, { id: aliceOrder.id }, { token, operationName: 'Order' });
    expect(result.errors).toBeUndefined();
    expect(result.data.order).toBeNull();
  });

  it('shows alice her own order', async () => {
    const result = await sg.client.as<any>('alice@acme.test', contract.storefront, { id: aliceOrder.id }, 'Order');
    expect(result.order).toMatchObject({ id: aliceOrder.id, customer: { id: alice.id, email: 'alice@acme.test' } });
  });

  it('refuses the tenant-wide orders list to a customer, with no data', async () => {
    const token = await tokenOf('alice@acme.test');
    const result = await sg.client.request<any>('query { orders(first: 5) { totalCount edges { node { id } } } }', {}, { token });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.data ?? null).toBeNull();
  });

  it("never lists acme orders in bob's own orders", async () => {
    const acmeOrderIds = new Set(
      (await sg.sql<{ id: string }>('orders', `SELECT "id"::text AS id FROM "orders"."Order" WHERE "tenantId" = $1::uuid`, acme.id)).map((r) => r.id),
    );
    const bobs = await count(
      'orders',
      `SELECT count(*)::int AS n FROM "orders"."Order" WHERE "tenantId" = $1::uuid AND "customerId" = $2::uuid`,
      globex.id,
      bob.id,
    );
    const result = await sg.client.as<any>('bob@globex.test', '{ me { id orders(first: 100) { totalCount edges { node { id total { currency } } } } } }');
    expect(result.me.id).toBe(bob.id);
    expect(result.me.orders.totalCount).toBe(bobs);
    expect(result.me.orders.edges.length).toBe(bobs);
    for (const edge of result.me.orders.edges) {
      expect(acmeOrderIds.has(edge.node.id)).toBe(false);
      expect(edge.node.total.currency).toBe('EUR');
    }
  });
});

describe('writes across tenants', () => {
  it("refuses a globex admin's stock adjustment of an acme product with NOT_FOUND and leaves the acme stock as it was", async () => {
    const before = await sg.sql<{ available: number; reserved: number }>(
      'inventory',
      `SELECT "available", "reserved" FROM "inventory"."StockItem" WHERE "productId" = $1::uuid`,
      acmeProduct.id,
    );
    const movementsBefore = await count('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement" WHERE "productId" = $1::uuid`, acmeProduct.id);
    expect(before).toHaveLength(1);

    const token = await tokenOf('admin@globex.test');
    const result = await sg.client.request<any>(contract.dashboard, { productId: acmeProduct.id, delta: 5, reason: 'cross-tenant attempt' }, { token, operationName: 'AdjustStock' });
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect(result.data?.adjustStock ?? null).toBeNull();

    const after = await sg.sql('inventory', `SELECT "available", "reserved" FROM "inventory"."StockItem" WHERE "productId" = $1::uuid`, acmeProduct.id);
    const movementsAfter = await count('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement" WHERE "productId" = $1::uuid`, acmeProduct.id);
    expect(after).toEqual(before);
    expect(movementsAfter).toBe(movementsBefore);
  });

  it('refuses a globex product filed under an acme category with BAD_USER_INPUT and creates nothing', async () => {
    const acmeCategory = acme.categories[0]!;
    const sku = `XT-${Date.now().toString(36)}`;
    const before = await count('catalog', `SELECT count(*)::int AS n FROM "catalog"."Product"`);
    const token = await tokenOf('admin@globex.test');
    const result = await sg.client.request<any>(
      contract.dashboard,
      { input: { sku, name: 'Smuggled Lamp', price: { amount: 1000, currency: 'EUR' }, categoryId: acmeCategory.id } },
      { token, operationName: 'CreateProduct' },
    );
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('input.categoryId');
    expect(result.data?.createProduct ?? null).toBeNull();
    const after = await count('catalog', `SELECT count(*)::int AS n FROM "catalog"."Product"`);
    expect(after).toBe(before);
    expect(await sg.sql('catalog', `SELECT "id" FROM "catalog"."Product" WHERE "sku" = $1`, sku)).toEqual([]);
  });
});

describe('entity references sent straight to a subgraph', () => {
  const productEntities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name } } }';
  const userEntities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }';

  it('refuses a request to a subgraph that carries only identity headers, whatever they claim', async () => {
    for (const subgraph of ['catalog', 'accounts', 'orders'] as const) {
      const response = await fetch(sg.subgraphs[subgraph].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': acmeAdmin.id, 'x-tenant-id': acme.id, 'x-user-role': 'ADMIN' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      expect({ subgraph, status: response.status }).toEqual({ subgraph, status: 401 });
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toEqual(expect.stringMatching(/^GATEWAY_CREDENTIAL_/));
    }
  });

  it('refuses a gateway credential signed for another subgraph', async () => {
    const signer = new GatewayCredentialSigner(gatewayKey('inventory'), 'inventory', 30);
    const body = JSON.stringify({ query: productEntities, variables: { r: [{ __typename: 'Product', id: acmeProduct.id }] } });
    const credential = signer.sign({ body, requestId: randomUUID(), identity: { userId: acmeAdmin.id, tenantId: acme.id, role: 'ADMIN' } });
    const response = await fetch(sg.subgraphs.catalog.url, { method: 'POST', headers: { 'content-type': 'application/json', [GATEWAY_CREDENTIAL_HEADER]: credential }, body });
    expect(response.status).toBe(401);
  });

  it('resolves an acme product to null for a caller of globex', async () => {
    const result = await subgraphRequest(
      'catalog',
      { userId: bob.id, tenantId: globex.id, role: 'CUSTOMER' },
      productEntities,
      { r: [{ __typename: 'Product', id: acmeProduct.id }] },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data._entities).toEqual([null]);
  });

  it('resolves a globex product for a globex caller, so the null above is isolation', async () => {
    const globexProduct = globex.products[0]!;
    const result = await subgraphRequest(
      'catalog',
      { userId: bob.id, tenantId: globex.id, role: 'CUSTOMER' },
      productEntities,
      { r: [{ __typename: 'Product', id: globexProduct.id }, { __typename: 'Product', id: acmeProduct.id }] },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data._entities).toEqual([{ id: globexProduct.id, name: globexProduct.name }, null]);
  });

  it("gives a globex caller an empty stock for an acme product instead of acme's level", async () => {
    const [real] = await sg.sql<{ available: number }>('inventory', `SELECT "available" FROM "inventory"."StockItem" WHERE "productId" = $1::uuid`, acmeProduct.id);
    expect(real!.available).toBeGreaterThan(0);
    const result = await subgraphRequest(
      'inventory',
      { userId: bob.id, tenantId: globex.id, role: 'CUSTOMER' },
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id stock { available reserved } } } }',
      { r: [{ __typename: 'Product', id: acmeProduct.id }] },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data._entities[0].stock).toEqual({ available: 0, reserved: 0 });
  });

  it("resolves the payment, shipment and items of alice's order to nothing for the globex admin", async () => {
    const identity: Caller = { userId: userOf('admin@globex.test').id, tenantId: globex.id, role: 'ADMIN' };
    const representations = { r: [{ __typename: 'Order', id: aliceOrder.id }] };
    const payments = await subgraphRequest('payments', identity, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { id status } } } }', representations);
    const shipping = await subgraphRequest('shipping', identity, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id shipment { id status } } } }', representations);
    const orders = await subgraphRequest('orders', identity, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id items { quantity } } } }', representations);
    expect(payments.body.errors).toBeUndefined();
    expect(payments.body.data._entities[0]?.payment ?? null).toBeNull();
    expect(shipping.body.errors).toBeUndefined();
    expect(shipping.body.data._entities[0]?.shipment ?? null).toBeNull();
    expect(orders.body.errors).toBeUndefined();
    expect(orders.body.data._entities).toEqual([null]);
  });

  it("resolves alice's payment and shipment for the acme admin, so the nulls above are isolation", async () => {
    const identity: Caller = { userId: acmeAdmin.id, tenantId: acme.id, role: 'ADMIN' };
    const representations = { r: [{ __typename: 'Order', id: aliceOrder.id }] };
    const payments = await subgraphRequest('payments', identity, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { id status } } } }', representations);
    const shipping = await subgraphRequest('shipping', identity, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id shipment { id status } } } }', representations);
    expect(payments.body.data._entities[0].payment).toMatchObject({ id: expect.any(String) });
    expect(shipping.body.data._entities[0].shipment).toMatchObject({ id: expect.any(String) });
  });

  it("resolves the acme admin's User to null for customer alice", async () => {
    const result = await subgraphRequest(
      'accounts',
      { userId: alice.id, tenantId: acme.id, role: 'CUSTOMER' },
      userEntities,
      { r: [{ __typename: 'User', id: acmeAdmin.id }, { __typename: 'User', id: alice.id }] },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data._entities).toEqual([null, { id: alice.id, email: 'alice@acme.test' }]);
  });

  it('resolves an acme user to null for the globex admin', async () => {
    const globexAdmin = userOf('admin@globex.test');
    const result = await subgraphRequest(
      'accounts',
      { userId: globexAdmin.id, tenantId: globex.id, role: 'ADMIN' },
      userEntities,
      { r: [{ __typename: 'User', id: alice.id }] },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data._entities).toEqual([null]);
  });
});
