import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient } from '../harness/live-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// Subscribe messages over graphql-ws take tokens from the same user bucket as HTTP requests.
let sg: TestSupergraph;
let admin: LiveClient | undefined;
beforeAll(async () => {
  sg = await startTestSupergraph({ RATE_LIMIT_USER: '3/300s', RATE_LIMIT_TENANT: 'off' });
});
afterAll(async () => {
  await admin?.dispose();
  await sg?.stop();
});

describe('rate limits over graphql-ws', () => {
  it('refuses a subscription beyond the user bucket with RATE_LIMITED and keeps the ones it admitted', async () => {
    admin = await LiveClient.connect(sg.gateway.url, await sg.client.tokenFor('admin@acme.test'));
    const admitted = [0, 1, 2].map(() => admin!.subscribe(contract.dashboard, {}, 'LiveStock'));
    const refused = admin.subscribe(contract.dashboard, {}, 'LiveStock');
    const errors = await refused.refusal();
    expect(errors[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(errors[0]?.extensions?.scope).toBe('user');

    // A shopper's order (her own bucket) moves stock: each admitted subscription still streams it.
    const { products } = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 1 }, 'Catalog');
    const productId = products.edges[0].node.id;
    await sg.client.as('alice@acme.test', contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId, quantity: 1 }] } }, 'PlaceOrder');
    for (const live of admitted) {
      const result = await live.waitFor('a stock change', (r) => r.data?.stockChanged?.product?.id === productId);
      expect(result.errors).toBeUndefined();
      expect(live.failure).toBeUndefined();
    }
    await sg.settle();
  });
});
