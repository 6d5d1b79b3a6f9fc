import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventEnvelope, InProcessBus } from '#platform/events';

const logger = pino({ level: 'silent' });
let buses: InProcessBus[] = [];
afterEach(async () => {
  await Promise.all(buses.map((b) => b.close()));
  buses = [];
});

function newBus(): InProcessBus {
  const bus = new InProcessBus(logger);
  buses.push(bus);
  return bus;
}

function event(type: string, tenantId = 'tenant-a'): EventEnvelope {
  return { id: randomUUID(), type, version: 1, tenantId, occurredAt: new Date().toISOString(), aggregateType: 'Order', aggregateId: randomUUID(), traceparent: null, payload: {} };
}

async function settled(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('broadcast subscriptions on the in-process bus', () => {
  it('give every subscriber every event of its types, in publish order, besides the durable consumers', async () => {
    const bus = newBus();
    const first: string[] = [];
    const second: string[] = [];
    const consumed: string[] = [];
    await bus.consume({ consumer: 'orders', types: ['orders.order.placed'], handler: async (e) => void consumed.push(e.id) });
    await bus.subscribe({ types: ['orders.order.placed', 'orders.order.confirmed'], handler: (e) => void first.push(e.id) });
    await bus.subscribe({ types: ['orders.order.placed'], handler: (e) => void second.push(e.id) });
    const placed = event('orders.order.placed');
    const confirmed = event('orders.order.confirmed');
    await bus.publish(placed);
    await bus.publish(confirmed);
    await bus.drain();
    await settled();
    expect(first).toEqual([placed.id, confirmed.id]);
    expect(second).toEqual([placed.id]);
    expect(consumed).toEqual([placed.id]);
  });

  it("hand a tenant's subscriber only that tenant's events", async () => {
    const bus = newBus();
    const seen: string[] = [];
    await bus.subscribe({ types: ['orders.order.placed'], tenantId: 'tenant-b', handler: (e) => void seen.push(e.tenantId) });
    await bus.publish(event('orders.order.placed', 'tenant-a'));
    await bus.publish(event('orders.order.placed', 'tenant-b'));
    await settled();
    expect(seen).toEqual(['tenant-b']);
  });

  it('stop after unsubscribing, and never deliver a duplicate id twice', async () => {
    const bus = newBus();
    const seen: string[] = [];
    const unsubscribe = await bus.subscribe({ types: ['orders.order.placed'], handler: (e) => void seen.push(e.id) });
    const once = event('orders.order.placed');
    await bus.publish(once);
    await bus.publish(once);
    await unsubscribe();
    await bus.publish(event('orders.order.placed'));
    await settled();
    expect(seen).toEqual([once.id]);
  });

  it('keep delivering to the others when one subscriber fails', async () => {
    const bus = newBus();
    const seen: string[] = [];
    await bus.subscribe({ types: ['orders.order.placed'], handler: () => { throw new Error('boom'); } });
    await bus.subscribe({ types: ['orders.order.placed'], handler: (e) => void seen.push(e.id) });
    const placed = event('orders.order.placed');
    await bus.publish(placed);
    await settled();
    expect(seen).toEqual([placed.id]);
  });

  it('give each subscriber its own copy of the event', async () => {
    const bus = newBus();
    const copies: EventEnvelope[] = [];
    await bus.subscribe({ types: ['orders.order.placed'], handler: (e) => void copies.push(e) });
    await bus.subscribe({ types: ['orders.order.placed'], handler: (e) => void copies.push(e) });
    await bus.publish(event('orders.order.placed'));
    await settled();
    expect(copies).toHaveLength(2);
    expect(copies[0]).not.toBe(copies[1]);
    expect(copies[0]).toEqual(copies[1]);
  });
});
