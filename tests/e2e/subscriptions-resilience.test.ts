import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { catalogSubgraph } from '../../subgraphs/catalog/src/server.js';
import { OrderEvents } from '#contracts';
import { createEvent } from '#platform/events';
import { registry } from '#platform/observability';
import { eventually, LiveClient, type LiveSubscription } from '../harness/live-client.js';
import { contract } from '../harness/operations.js';
import { stopSubgraph } from '../harness/restart-subgraph.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// Live subscriptions when things go wrong: a client that stops reading, a subgraph that restarts.

let sg: TestSupergraph;
const clients: LiveClient[] = [];
const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;

beforeAll(async () => {
  // a small per-socket queue, so a stalled socket is over it after a few results; pings rare enough
  // that the stalled socket is not cut for missing a pong first
  sg = await startTestSupergraph({ SUBSCRIPTION_QUEUE_LIMIT: '2', SUBSCRIPTION_KEEPALIVE_MS: '300000' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await sg?.stop();
});

async function connect(email: string): Promise<LiveClient> {
  const client = await LiveClient.connect(sg.gateway.url, await sg.client.tokenFor(email));
  clients.push(client);
  return client;
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = registry.getSingleMetric(name);
  if (!found) return 0;
  const { values } = await found.get();
  return values.filter((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value)).reduce((sum, v) => sum + v.value, 0);
}

async function subscribed(client: LiveClient, document: string, variables: Record<string, unknown>, operationName: string | undefined, field: string): Promise<LiveSubscription> {
  const before = await metric('gateway_subscriptions', { field });
  const live = client.subscribe(document, variables, operationName);
  await eventually(`${operationName ?? 'the subscription'} to be running`, async () => (await metric('gateway_subscriptions', { field })) > before);
  return live;
}

/** Every line of an order in full: tens of kilobytes per event, so a stalled socket fills quickly. */
const HEAVY_ORDERS = `subscription HeavyOrders {
  orderUpdated {
    id
    status
    items { ...Line }
    again: items { ...Line }
  }
}
fragment Line on OrderItem {
  quantity
  unitPrice { amount currency }
  lineTotal { amount currency }
  product { id sku name description price { amount currency } category { id name } stock { available reserved updatedAt } }
}`;

describe('a slow consumer', () => {
  it('that stops reading is closed with 4008 while the other sockets get every event', async () => {
    // three big orders of alice's: what the stalled socket falls behind on
    const lines = ACME.products.filter((p) => p.available >= 3 && p.priceAmount < 5_000).slice(0, 100);
    const orders: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const { placeOrder } = await sg.client.as<any>('alice@acme.test', contract.storefront, {
        input: { idempotencyKey: randomUUID(), items: lines.map((p) => ({ productId: p.id, quantity: 1 })) },
      }, 'PlaceOrder');
      orders.push(placeOrder.id);
    }
    await sg.settle();

    // the same heavy subscription on a socket that keeps reading: every result is news to it, since
    // the stock of a product on every line changes before each event (results that say nothing new are not sent)
    const fast = await subscribed(await connect('admin@acme.test'), HEAVY_ORDERS, {}, undefined, 'orderUpdated');
    const stalledClient = await connect('admin@acme.test');
    await subscribed(stalledClient, HEAVY_ORDERS, {}, undefined, 'orderUpdated');
    const socket = stalledClient.sockets[0]! as unknown as { _socket: { pause(): void; resume(): void } };
    socket._socket.pause();

    const closedBefore = await metric('gateway_subscription_sockets_closed_total', { reason: 'slow_consumer' });
    const published: string[] = [];
    for (let round = 0; round < 1_000 && (await metric('gateway_subscription_sockets_closed_total', { reason: 'slow_consumer' })) === closedBefore; round += 1) {
      // one stock change on every line, then an event of each order: three results that are news
      await sg.client.as('admin@acme.test', contract.dashboard, { productId: lines[0]!.id, delta: 1, reason: 'slow consumer test' }, 'AdjustStock');
      const events = orders.map((orderId) => createEvent(OrderEvents.confirmed, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: ACME.users[1]!.id } }));
      for (const event of events) {
        await sg.bus.publish(event);
        published.push(event.id);
      }
      for (const event of events) await fast.waitFor(`event ${event.id} on the fast socket`, (r) => r.extensions?.event?.id === event.id);
    }
    expect(await metric('gateway_subscription_sockets_closed_total', { reason: 'slow_consumer' })).toBe(closedBefore + 1);
    // the fast socket missed nothing meanwhile
    const fastIds = new Set(fast.results.map((r) => r.extensions?.event?.id));
    expect(published.filter((id) => !fastIds.has(id))).toEqual([]);

    socket._socket.resume();
    expect((await stalledClient.closed).code).toBe(4008);
  }, 120_000);
});

describe('a subgraph restart', () => {
  it('is survived: the subscription stays open and streams complete events again once the subgraph is back', async () => {
    const product = ACME.products[40]!;
    const admin = await connect('admin@acme.test');
    const live = await subscribed(admin, contract.dashboard, { productIds: [product.id] }, 'LiveStock', 'stockChanged');
    const token = await sg.client.tokenFor('admin@acme.test');
    const adjustAs = async (delta: number) => (await sg.client.request<any>(contract.dashboard, { productId: product.id, delta, reason: 'Restart test' }, { operationName: 'AdjustStock', token })).data;

    const first = await adjustAs(1);
    await live.waitFor('an event before the restart', (r) => r.data?.stockChanged?.available === first.adjustStock.available);

    const startCatalog = await stopSubgraph(sg, 'catalog', catalogSubgraph);
    await adjustAs(1);
    const outage = await live.waitFor('the event while the catalog is down', (r) => (r.errors?.length ?? 0) > 0);
    expect(outage.extensions?.event?.id).toEqual(expect.any(String));

    const catalog = await startCatalog();
    try {
      // the gateway's circuit to catalog may stay open a moment after it is back (SUBGRAPH_BREAKER_RESET_MS;
      // meanwhile the stock changes, the product is refused fast): ask until the answer is complete
      let after = await adjustAs(1);
      for (let i = 0; i < 50 && !after?.adjustStock; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await adjustAs(1);
      }
      expect(after.adjustStock.product.name).toBe(product.name);
      // While the circuit is half-open only its probe goes through: the live result of that last
      // change may still have met a refusal. Once the circuit is closed, a change streams complete.
      await eventually('the circuit to catalog to close', async () => {
        const readyz = await fetch(sg.gateway.url.replace(/\/graphql$/, '/readyz')).then((r) => r.json() as Promise<any>);
        return readyz.checks?.subgraphs?.catalog?.circuit === 'closed';
      });
      after = await adjustAs(1);
      expect(after.adjustStock.product.name).toBe(product.name);
      const back = await live.waitFor('the event after the restart', (r) => r.data?.stockChanged?.available === after.adjustStock.available);
      expect(back.errors).toBeUndefined();
      expect(back.data!.stockChanged.product).toEqual({ id: product.id, name: product.name });
      expect(live.failure).toBeUndefined();
      expect(live.completed).toBe(false);
    } finally {
      await catalog.stop();
    }
  });
});
