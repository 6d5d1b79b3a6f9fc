import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../harness/operations.js';
import { freePort, NatsProcess } from '../harness/process-stack.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// This suite stops NATS, so it runs a nats-server of its own (JetStream on a store of its own that
// outlives the restart), never the machine's.
let sg: TestSupergraph;
let nats: NatsProcess;
let storeDir: string;
beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'sc-nats-restart-'));
  nats = new NatsProcess(await freePort(), storeDir);
  await nats.start();
  sg = await startTestSupergraph({ NATS_URL: nats.url });
});
afterAll(async () => {
  await sg?.stop();
  await nats?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

describe('the checkout saga on NATS JetStream', () => {
  it('keeps orders placed while NATS is down in the outbox and settles them once it is back', async () => {
    const { products } = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 5 }, 'Catalog');
    const productId = products.edges[0].node.id;
    const ids: string[] = [];
    await nats.stop();
    try {
      for (let i = 0; i < 5; i += 1) {
        const { placeOrder } = await sg.client.as<any>('alice@acme.test', contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId, quantity: 1 }] } }, 'PlaceOrder');
        expect(placeOrder.status).toBe('PENDING');
        ids.push(placeOrder.id);
      }
      const unpublished = await sg.sql<{ n: number }>('orders', `SELECT count(*)::int AS n FROM "orders"."OutboxEvent" WHERE "aggregateId" = ANY($1) AND "publishedAt" IS NULL`, ids);
      expect(unpublished[0]?.n).toBe(5);
    } finally {
      await nats.start();
    }
    await sg.settle();
    const rows = await sg.sql<{ status: string; n: number }>('orders', `SELECT "status", count(*)::int AS n FROM "orders"."Order" WHERE "id" = ANY($1::uuid[]) GROUP BY "status"`, ids);
    expect(rows).toEqual([{ status: 'CONFIRMED', n: 5 }]);
  });
});
