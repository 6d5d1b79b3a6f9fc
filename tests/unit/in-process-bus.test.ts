import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryPolicy, type EventEnvelope, InProcessBus } from '#platform/events';

const logger = pino({ level: 'silent' });
const POLICY: DeliveryPolicy = { maxDeliver: 3, backoffMs: [5, 10] };

let buses: InProcessBus[] = [];
function newBus(policy: DeliveryPolicy = POLICY): InProcessBus {
  const bus = new InProcessBus(logger, policy);
  buses.push(bus);
  return bus;
}
afterEach(async () => {
  await Promise.all(buses.map((b) => b.close()));
  buses = [];
});

function event(fields: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'catalog.product.created',
    version: 1,
    tenantId: 'tenant-1',
    occurredAt: new Date().toISOString(),
    aggregateType: 'Product',
    aggregateId: randomUUID(),
    traceparent: null,
    payload: { n: 0 },
    ...fields,
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the in-process bus', () => {
  it('delivers an event to every consumer of its type and to no other', async () => {
    const bus = newBus();
    const seen: Record<string, string[]> = { inventory: [], orders: [], payments: [] };
    await bus.consume({ consumer: 'inventory', types: ['catalog.product.created'], handler: async (e) => void seen.inventory!.push(e.id) });
    await bus.consume({ consumer: 'orders', types: ['catalog.product.created', 'inventory.stock.adjusted'], handler: async (e) => void seen.orders!.push(e.id) });
    await bus.consume({ consumer: 'payments', types: ['orders.order.placed'], handler: async (e) => void seen.payments!.push(e.id) });

    const created = event();
    const adjusted = event({ type: 'inventory.stock.adjusted', aggregateType: 'Stock' });
    await bus.publish(created);
    await bus.publish(adjusted);
    await bus.drain();

    expect(seen.inventory).toEqual([created.id]);
    expect(seen.orders!.sort()).toEqual([created.id, adjusted.id].sort());
    expect(seen.payments).toEqual([]);
  });

  it('gives each consumer its own copy of the event', async () => {
    const bus = newBus();
    const payloads: unknown[] = [];
    await bus.consume({
      consumer: 'a',
      types: ['catalog.product.created'],
      handler: async (e) => {
        (e.payload as { n: number }).n = 99;
      },
    });
    await bus.consume({ consumer: 'b', types: ['catalog.product.created'], handler: async (e) => void payloads.push(e.payload) });
    const original = event({ payload: { n: 1 } });
    await bus.publish(original);
    await bus.drain();
    expect(payloads).toEqual([{ n: 1 }]);
    expect(original.payload).toEqual({ n: 1 });
  });

  it('drops a second publish of the same event id', async () => {
    const bus = newBus();
    let calls = 0;
    await bus.consume({ consumer: 'c', types: ['catalog.product.created'], handler: async () => void (calls += 1) });
    const once = event();
    await bus.publish(once);
    await bus.drain();
    await bus.publish({ ...once });
    await bus.publish(once);
    await bus.drain();
    expect(calls).toBe(1);
  });

  it('refuses a second consumer under a name already registered', async () => {
    const bus = newBus();
    await bus.consume({ consumer: 'same', types: ['x.y.z'], handler: async () => undefined });
    await expect(bus.consume({ consumer: 'same', types: ['x.y.z'], handler: async () => undefined })).rejects.toThrow(/already registered/);
  });

  it('retries a failing handler and stops once it succeeds', async () => {
    const bus = newBus();
    let attempts = 0;
    await bus.consume({
      consumer: 'flaky',
      types: ['catalog.product.created'],
      handler: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error(`failure ${attempts}`);
      },
    });
    await bus.publish(event());
    await bus.drain();
    expect(attempts).toBe(3);
    expect(bus.deadLetters).toEqual([]);
  });

  it('dead-letters an event after maxDeliver attempts, recording the last error and the attempts', async () => {
    const bus = newBus();
    let attempts = 0;
    await bus.consume({
      consumer: 'broken',
      types: ['catalog.product.created'],
      handler: async () => {
        attempts += 1;
        throw new Error(`boom ${attempts}`);
      },
    });
    const doomed = event();
    await bus.publish(doomed);
    await bus.drain();
    expect(attempts).toBe(POLICY.maxDeliver);
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({ consumer: 'broken', error: `boom ${POLICY.maxDeliver}`, attempts: POLICY.maxDeliver, event: { id: doomed.id } });
    expect(new Date(bus.deadLetters[0]!.at).toString()).not.toBe('Invalid Date');
  });

  it('goes on with the next events of an aggregate after one is dead-lettered', async () => {
    const bus = newBus();
    const handled: number[] = [];
    await bus.consume({
      consumer: 'c',
      types: ['catalog.product.created'],
      handler: async (e) => {
        const n = (e.payload as { n: number }).n;
        if (n === 1) throw new Error('poison');
        handled.push(n);
      },
    });
    const aggregateId = randomUUID();
    for (const n of [0, 1, 2]) await bus.publish(event({ aggregateId, payload: { n } }));
    await bus.drain();
    expect(handled).toEqual([0, 2]);
    expect(bus.deadLetters.map((d) => (d.event.payload as { n: number }).n)).toEqual([1]);
  });

  it("keeps one aggregate's events in order, even while an earlier one is being retried", async () => {
    const bus = newBus();
    const order: string[] = [];
    let failedOnce = false;
    await bus.consume({
      consumer: 'ordered',
      types: ['catalog.product.created'],
      handler: async (e) => {
        const n = (e.payload as { n: number }).n;
        if (n === 0 && !failedOnce) {
          failedOnce = true;
          throw new Error('retry me');
        }
        // a short, varying pause so unordered delivery would show
        await new Promise((r) => setTimeout(r, (5 - n) % 3));
        order.push(`${e.aggregateId}:${n}`);
      },
    });
    const aggregateId = randomUUID();
    for (const n of [0, 1, 2, 3, 4]) await bus.publish(event({ aggregateId, payload: { n } }));
    await bus.drain();
    expect(order).toEqual([0, 1, 2, 3, 4].map((n) => `${aggregateId}:${n}`));
  });

  it('lets different aggregates interleave: a slow one does not hold up another', async () => {
    const bus = newBus();
    const gate = deferred();
    const finished: string[] = [];
    await bus.consume({
      consumer: 'interleave',
      types: ['catalog.product.created'],
      handler: async (e) => {
        if (e.aggregateId === 'slow') await gate.promise;
        finished.push(e.aggregateId);
      },
    });
    await bus.publish(event({ aggregateId: 'slow' }));
    await bus.publish(event({ aggregateId: 'fast' }));
    // the fast aggregate is handled while the slow one is still blocked
    await expect.poll(() => finished, { interval: 1 }).toEqual(['fast']);
    gate.resolve();
    await bus.drain();
    expect(finished).toEqual(['fast', 'slow']);
  });

  it('keeps per-aggregate order for each consumer separately', async () => {
    const bus = newBus();
    const seen: Record<string, number[]> = { a: [], b: [] };
    for (const name of ['a', 'b']) {
      await bus.consume({
        consumer: name,
        types: ['catalog.product.created'],
        handler: async (e) => {
          await new Promise((r) => setTimeout(r, name === 'a' ? 2 : 0));
          seen[name]!.push((e.payload as { n: number }).n);
        },
      });
    }
    const aggregateId = randomUUID();
    for (const n of [1, 2, 3]) await bus.publish(event({ aggregateId, payload: { n } }));
    await bus.drain();
    expect(seen).toEqual({ a: [1, 2, 3], b: [1, 2, 3] });
  });

  it('drain waits for handlers still running', async () => {
    const bus = newBus();
    const gate = deferred();
    let done = false;
    await bus.consume({
      consumer: 'slow',
      types: ['catalog.product.created'],
      handler: async () => {
        await gate.promise;
        done = true;
      },
    });
    await bus.publish(event());
    let drained = false;
    const draining = bus.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    expect(done).toBe(false);
    gate.resolve();
    await draining;
    expect(done).toBe(true);
  });

  it('drain also waits for events published by a handler while draining', async () => {
    const bus = newBus();
    const handled: string[] = [];
    await bus.consume({
      consumer: 'first',
      types: ['catalog.product.created'],
      handler: async (e) => {
        handled.push('first');
        await bus.publish(event({ type: 'inventory.stock.adjusted', aggregateId: e.aggregateId }));
      },
    });
    await bus.consume({
      consumer: 'second',
      types: ['inventory.stock.adjusted'],
      handler: async () => {
        await new Promise((r) => setTimeout(r, 10));
        handled.push('second');
      },
    });
    await bus.publish(event());
    await bus.drain();
    expect(handled).toEqual(['first', 'second']);
  });

  it('refuses to publish once closed', async () => {
    const bus = newBus();
    await bus.close();
    await expect(bus.publish(event())).rejects.toThrow(/closed/);
  });
});
