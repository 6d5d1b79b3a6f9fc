import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// What a client sees while one subgraph cannot answer: the rest of the response, the missing
// fields null, one error per failed fetch with a stable code and the subgraph's name.

let sg: TestSupergraph;
let mugId: string;
beforeAll(async () => {
  sg = await startTestSupergraph({ SUBGRAPH_BREAKER_FAILURES: '3', SUBGRAPH_BREAKER_RESET_MS: '60000' });
  const { products } = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 1, search: 'blue mug' }, 'Catalog');
  mugId = products.edges[0].node.id;
  await sg.client.tokenFor('admin@acme.test');
});
afterAll(async () => {
  await sg?.stop();
});

const rootOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');
const storefront = async (operationName: string, variables: Record<string, unknown>) =>
  sg.client.request<any>(contract.storefront, variables, { token: await sg.client.tokenFor('alice@acme.test'), operationName });

function expectNothingInternal(errors: { message: string; extensions?: Record<string, unknown> }[]): void {
  for (const error of errors) {
    expect(error.message).not.toMatch(/https?:|localhost|127\.0\.0\.1|ECONN|socket|fetch/i);
    expect(JSON.stringify(error.extensions)).not.toMatch(/https?:|ECONN/);
  }
}

describe('while inventory is down', () => {
  beforeAll(async () => {
    await sg.subgraphs.inventory.stop();
  });

  it('answers a catalog page with every product and stock null, and one error naming inventory', async () => {
    const page = await storefront('Catalog', { first: 20 });
    expect(page.status).toBe(200);
    expect(page.data.products.edges).toHaveLength(20);
    for (const { node } of page.data.products.edges) {
      expect(node.name).toEqual(expect.any(String));
      expect(node.stock).toBeNull();
    }
    expect(page.errors).toHaveLength(1);
    expect(page.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'inventory' });
    expectNothingInternal(page.errors!);
  });

  it('fails fast once its circuit is open, says so, and shows the open circuit on /readyz and /metrics', async () => {
    for (let i = 0; i < 3; i += 1) await storefront('Product', { id: mugId });
    const product = await storefront('Product', { id: mugId });
    expect(product.data.product).toMatchObject({ name: 'Blue Mug', stock: null });
    expect(product.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'inventory' });
    expect(product.errors![0]!.message).toMatch(/failed repeatedly/);

    const readyz = await fetch(`${rootOf(sg.gateway.url)}/readyz`);
    const body = (await readyz.json()) as any;
    expect(readyz.status).toBe(200);
    expect(body.checks.subgraphs.inventory.circuit).toBe('open');
    expect(body.checks.subgraphs.catalog.circuit).toBe('closed');
    const metrics = await (await fetch(`${rootOf(sg.gateway.url)}/metrics`)).text();
    expect(metrics).toMatch(/gateway_subgraph_circuit_state\{subgraph="inventory"\} 2/);
    expect(metrics).toMatch(/gateway_subgraph_fetch_refused_total\{subgraph="inventory",reason="circuit_open"\} [1-9]/);
  });

  it('answers what does not need inventory without any error', async () => {
    const page = await storefront('MyOrders', { first: 5 });
    expect(page.errors).toBeUndefined();
    expect(page.data.me.orders.totalCount).toBeGreaterThan(0);
  });

  it("fails an admin's low-stock list (inventory's own root field) with the same code, data null", async () => {
    const low = await sg.client.request<any>(contract.dashboard, { threshold: 5 }, { token: await sg.client.tokenFor('admin@acme.test'), operationName: 'LowStock' });
    expect(low.data).toBeNull();
    expect(low.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'inventory' });
  });
});

describe('while orders is down', () => {
  beforeAll(async () => {
    await sg.subgraphs.orders.stop();
  });

  it("answers the customer's own record with orders null and an error naming orders", async () => {
    const mine = await storefront('MyOrders', { first: 5 });
    expect(mine.data.me).toMatchObject({ email: 'alice@acme.test', orders: null });
    expect(mine.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'orders' });
    expectNothingInternal(mine.errors!);
  });

  it('refuses a checkout it could not send with SUBGRAPH_UNAVAILABLE: nothing was changed, so it may be sent again', async () => {
    const placed = await storefront('PlaceOrder', { input: { idempotencyKey: randomUUID(), items: [{ productId: mugId, quantity: 1 }] } });
    expect(placed.data).toBeNull();
    expect(placed.errors![0]!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'orders' });
    expect(placed.errors![0]!.message).toMatch(/Nothing was changed/);
  });
});
