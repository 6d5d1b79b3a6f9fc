import { randomUUID } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache, type FetchResult } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client as UrqlClient, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { eventually } from '../harness/live-client.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// What a storefront and a dashboard do with the client libraries they would ship: Apollo Client with
// GraphQLWsLink, urql with subscriptionExchange, both on graphql-ws over a real WebSocket (ws in Node).

const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;

const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;
const ORDER_UPDATED = `subscription OrderUpdated($id: ID) { orderUpdated(id: $id) { id status payment { status } } }`;
const LIVE_ORDERS = `subscription LiveOrders { orderUpdated { id status customer { email } } }`;

interface OrderResult {
  orderUpdated: { id: string; status: string; payment?: { status: string } | null; customer?: { email: string } };
}

let sg: TestSupergraph;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  sg = await startTestSupergraph();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await sg?.stop();
});

function socketClient(token: string): WsClient {
  const client = createClient({
    url: sg.gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: () => ({ authorization: `Bearer ${token}` }),
    retryAttempts: 0,
  });
  cleanups.push(() => client.dispose());
  return client;
}

function product(n: number) {
  return ACME.products.filter((p) => p.priceAmount < 10_000)[n]!;
}

describe('Apollo Client with GraphQLWsLink', () => {
  async function apollo(email: string) {
    const token = await sg.client.tokenFor(email);
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new GraphQLWsLink(socketClient(token)),
    });
    const http = new ApolloClient({ cache: new InMemoryCache(), link: new HttpLink({ uri: sg.gateway.url, headers: { authorization: `Bearer ${token}` } }) });
    cleanups.push(() => client.stop(), () => http.stop());
    return { client, http };
  }

  function collect(client: ApolloClient, query: string, variables: Record<string, unknown> = {}) {
    const results: FetchResult<OrderResult>[] = [];
    const subscription = client.subscribe<OrderResult>({ query: gql(query), variables }).subscribe({ next: (result) => void results.push(result as FetchResult<OrderResult>) });
    cleanups.push(() => subscription.unsubscribe());
    return results;
  }

  it('places an order, subscribes afterwards, and sees it CONFIRMED with the payment captured', async () => {
    const alice = await apollo('alice@acme.test');
    const placed = await alice.http.mutate<{ placeOrder: { id: string; status: string } }>({
      mutation: gql(PLACE_ORDER),
      variables: { input: { idempotencyKey: randomUUID(), items: [{ productId: product(1).id, quantity: 1 }] } },
    });
    const orderId = placed.data!.placeOrder.id;
    // the checkout finishes before the storefront subscribes: the first result is the order as it is now
    await sg.settle();

    const results = collect(alice.client, ORDER_UPDATED, { id: orderId });
    const first = await eventually('the order as it is now', () => results[0]);
    expect(first.errors).toBeUndefined();
    expect(first.data!.orderUpdated).toMatchObject({ id: orderId, status: 'CONFIRMED', payment: { status: 'CAPTURED' } });
  });

  it("shows an admin's dashboard another customer's new order live", async () => {
    const admin = await apollo('admin@acme.test');
    const alice = await apollo('alice@acme.test');
    const running = await gatewaySubscriptions();
    const results = collect(admin.client, LIVE_ORDERS);
    await eventually('LiveOrders to be running', async () => (await gatewaySubscriptions()) > running);

    const placed = await alice.http.mutate<{ placeOrder: { id: string } }>({
      mutation: gql(PLACE_ORDER),
      variables: { input: { idempotencyKey: randomUUID(), items: [{ productId: product(2).id, quantity: 1 }] } },
    });
    const orderId = placed.data!.placeOrder.id;
    const row = await eventually('the new order on the dashboard', () => results.find((r) => r.data?.orderUpdated.id === orderId));
    expect(row.data!.orderUpdated).toMatchObject({ id: orderId, customer: { email: 'alice@acme.test' } });
    await sg.settle();
  });
});

describe('urql with subscriptionExchange', () => {
  async function urql(email: string) {
    const token = await sg.client.tokenFor(email);
    const ws = socketClient(token);
    return new UrqlClient({
      url: sg.gateway.url,
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
      exchanges: [
        fetchExchange,
        subscriptionExchange({
          forwardSubscription(request) {
            const input = { ...request, query: request.query ?? '' };
            return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
          },
        }),
      ],
    });
  }

  function collect(client: UrqlClient, query: string, variables: Record<string, unknown> = {}) {
    const results: { data?: OrderResult; error?: unknown }[] = [];
    const { unsubscribe } = client.subscription<OrderResult>(query, variables).subscribe((result) => void results.push(result));
    cleanups.push(unsubscribe);
    return results;
  }

  it('places an order, subscribes afterwards, and sees it CONFIRMED with the payment captured', async () => {
    const alice = await urql('alice@acme.test');
    const placed = await alice.mutation<{ placeOrder: { id: string } }>(PLACE_ORDER, { input: { idempotencyKey: randomUUID(), items: [{ productId: product(3).id, quantity: 1 }] } }).toPromise();
    expect(placed.error).toBeUndefined();
    const orderId = placed.data!.placeOrder.id;
    await sg.settle();

    const results = collect(alice, ORDER_UPDATED, { id: orderId });
    const first = await eventually('the order as it is now', () => results[0]);
    expect(first.error).toBeUndefined();
    expect(first.data!.orderUpdated).toMatchObject({ id: orderId, status: 'CONFIRMED', payment: { status: 'CAPTURED' } });
  });

  it("shows an admin's dashboard another customer's new order live", async () => {
    const admin = await urql('admin@acme.test');
    const alice = await urql('alice@acme.test');
    const running = await gatewaySubscriptions();
    const results = collect(admin, LIVE_ORDERS);
    await eventually('LiveOrders to be running', async () => (await gatewaySubscriptions()) > running);

    const placed = await alice.mutation<{ placeOrder: { id: string } }>(PLACE_ORDER, { input: { idempotencyKey: randomUUID(), items: [{ productId: product(4).id, quantity: 1 }] } }).toPromise();
    const orderId = placed.data!.placeOrder.id;
    const row = await eventually('the new order on the dashboard', () => results.find((r) => r.data?.orderUpdated.id === orderId));
    expect(row.data!.orderUpdated).toMatchObject({ id: orderId, customer: { email: 'alice@acme.test' } });
    await sg.settle();
  });
});

/** Subscriptions running at the gateway, from its /metrics. */
async function gatewaySubscriptions(): Promise<number> {
  const text = await (await fetch(sg.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('gateway_subscriptions{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
