import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphName } from '#contracts';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

let sg: TestSupergraph;
beforeAll(async () => {
  // The outbox relays poll their tables in the background; a long poll keeps those statements out
  // of the per-request counts (reads here write no events, so nothing waits on the relays).
  // quiet: no relay polls and no background health probes (each runs a statement in every subgraph)
  sg = await startTestSupergraph({ OUTBOX_POLL_MS: '60000', SUBGRAPH_HEALTH_INTERVAL_MS: '600000' });
});
afterAll(async () => {
  await sg?.stop();
});

type Deltas = Record<SubgraphName, number>;

/** Runs one operation and returns what it cost each subgraph in SQL statements. */
async function cost(email: string, query: string, variables: Record<string, unknown>): Promise<{ data: any; deltas: Deltas }> {
  // one run first, so that anything a first request does once (connecting, preparing) is not counted
  await sg.client.as<any>(email, query, variables);
  const before = sg.statements();
  const data = await sg.client.as<any>(email, query, variables);
  const after = sg.statements();
  const deltas = Object.fromEntries(Object.keys(after).map((n) => [n, after[n as SubgraphName] - before[n as SubgraphName]])) as Deltas;
  return { data, deltas };
}

function show(label: string, deltas: Deltas): void {
  console.log(`${label}: ${Object.entries(deltas).map(([n, d]) => `${n}=${d}`).join(' ')}`);
}

const CATALOG = `query Catalog($first: Int!) {
  products(first: $first) {
    totalCount
    edges { node { id name price { amount currency } category { name } stock { available } } }
  }
}`;

const DASHBOARD_ORDERS = `query DashboardOrders($first: Int!) {
  orders(first: $first) {
    totalCount
    edges {
      node {
        id
        status
        customer { email name }
        total { amount currency }
        items { quantity product { name sku } }
        payment { status amount { amount } }
        shipment { status trackingNumber }
      }
    }
  }
}`;

const MY_ORDERS_STOCK = `query MyOrdersStock($first: Int!) {
  me {
    id
    orders(first: $first) {
      totalCount
      edges { node { id items { quantity product { id name stock { available } } } } }
    }
  }
}`;

describe('statements per request do not grow with the list', () => {
  it('costs the same statements for a catalog page of 10 and of 100 products', async () => {
    const small = await cost('alice@acme.test', CATALOG, { first: 10 });
    const large = await cost('alice@acme.test', CATALOG, { first: 100 });
    show('Catalog first:10 ', small.deltas);
    show('Catalog first:100', large.deltas);
    expect(small.data.products.edges).toHaveLength(10);
    expect(large.data.products.edges).toHaveLength(100);
    expect(large.data.products.edges.every((e: any) => e.node.category.name && typeof e.node.stock.available === 'number')).toBe(true);

    expect(large.deltas).toEqual(small.deltas);
    expect(large.deltas.catalog).toBeLessThanOrEqual(3);
    expect(large.deltas.inventory).toBeLessThanOrEqual(1);
    expect(large.deltas.orders + large.deltas.payments + large.deltas.shipping + large.deltas.accounts).toBe(0);
  });

  it('costs the same statements for one order and for four, each with customer, items, products, payment and shipment', async () => {
    const one = await cost('admin@acme.test', DASHBOARD_ORDERS, { first: 1 });
    const four = await cost('admin@acme.test', DASHBOARD_ORDERS, { first: 4 });
    show('DashboardOrders first:1', one.deltas);
    show('DashboardOrders first:4', four.deltas);
    expect(one.data.orders.edges).toHaveLength(1);
    expect(four.data.orders.edges).toHaveLength(4);
    const nodes = four.data.orders.edges.map((e: any) => e.node);
    expect(nodes.every((n: any) => n.customer.email === 'alice@acme.test')).toBe(true);
    expect(nodes.flatMap((n: any) => n.items).every((i: any) => typeof i.product.name === 'string')).toBe(true);
    expect(nodes.filter((n: any) => n.payment).length).toBeGreaterThan(1);
    expect(nodes.filter((n: any) => n.shipment).length).toBeGreaterThan(1);

    expect(four.deltas).toEqual(one.deltas);
    expect(four.deltas.orders).toBeLessThanOrEqual(3);
    expect(four.deltas.accounts).toBeLessThanOrEqual(1);
    expect(four.deltas.catalog).toBeLessThanOrEqual(1);
    expect(four.deltas.payments).toBeLessThanOrEqual(1);
    expect(four.deltas.shipping).toBeLessThanOrEqual(1);
    expect(four.deltas.inventory).toBe(0);
  });

  it("costs the same statements for the stock of one and of four of the customer's orders", async () => {
    const one = await cost('alice@acme.test', MY_ORDERS_STOCK, { first: 1 });
    const four = await cost('alice@acme.test', MY_ORDERS_STOCK, { first: 4 });
    show('me.orders.stock first:1', one.deltas);
    show('me.orders.stock first:4', four.deltas);
    expect(one.data.me.orders.edges).toHaveLength(1);
    expect(four.data.me.orders.edges).toHaveLength(4);
    const items = four.data.me.orders.edges.flatMap((e: any) => e.node.items);
    expect(items.length).toBeGreaterThan(4);
    expect(items.every((i: any) => typeof i.product.stock.available === 'number')).toBe(true);

    expect(four.deltas).toEqual(one.deltas);
    expect(four.deltas.orders).toBeLessThanOrEqual(3);
    expect(four.deltas.inventory).toBeLessThanOrEqual(1);
    expect(four.deltas.catalog).toBeLessThanOrEqual(1);
    expect(four.deltas.accounts).toBeLessThanOrEqual(1);
  });

  it('costs the same statements for a category with 2 and with 20 of its products', async () => {
    const query = `query($first: Int!) { categories { id name products(first: $first) { edges { node { id name stock { available } } } } } }`;
    const few = await cost('alice@acme.test', query, { first: 2 });
    const many = await cost('alice@acme.test', query, { first: 20 });
    show('categories.products first:2 ', few.deltas);
    show('categories.products first:20', many.deltas);
    expect(many.data.categories.length).toBe(6);
    expect(many.data.categories.every((c: any) => c.products.edges.length === 20)).toBe(true);
    expect(many.deltas).toEqual(few.deltas);
    expect(many.deltas.inventory).toBeLessThanOrEqual(1);
    // categories, then every category's first page and every category's count, each in one statement
    expect(many.deltas.catalog).toBeLessThanOrEqual(3);
  });
});
