import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, defineEvent, type EventEnvelope, JetStreamBus } from '#platform/events';
import { eventually } from '../harness/live-client.js';
import { ensureNatsRunning, NATS_URL } from '../harness/nats.js';

// The bus's fan-out on the machine's NATS: every process that subscribes gets every event (what
// gateway replicas need), next to durable consumers that share events between replicas.

const logger = pino({ level: 'silent' });
const placed = defineEvent<{ n: number }>('orders.order.placed', 1, 'Order');
const id = randomBytes(5).toString('hex');
const layout = { stream: `T_BC_${id}`, subjectPrefix: `t_bc_${id}`, deadLetterStream: `T_BCDLQ_${id}`, deadLetterPrefix: `t_bcdlq_${id}` };
const buses: JetStreamBus[] = [];

beforeAll(async () => {
  await ensureNatsRunning();
  for (let i = 0; i < 2; i += 1) buses.push(await JetStreamBus.connect(NATS_URL, logger, layout));
});

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const stream of [layout.stream, layout.deadLetterStream]) await jsm.streams.delete(stream).catch(() => false);
  await nc.close();
});

const event = (tenantId: string, n: number): EventEnvelope<{ n: number }> => createEvent(placed, { tenantId, aggregateId: randomUUID(), payload: { n } });

describe('broadcast subscriptions on the JetStream bus', () => {
  it('reach every subscribing process, while a durable consumer shared by both handles each event once', async () => {
    const [one, two] = buses as [JetStreamBus, JetStreamBus];
    const fanOut: Record<string, number[]> = { one: [], two: [] };
    const consumed: number[] = [];
    await one.subscribe({ types: [placed.type], handler: (e) => void fanOut.one!.push((e.payload as { n: number }).n) });
    await two.subscribe({ types: [placed.type], handler: (e) => void fanOut.two!.push((e.payload as { n: number }).n) });
    for (const bus of [one, two]) await bus.consume({ consumer: `shared-${id}`, types: [placed.type], handler: async (e) => void consumed.push((e.payload as { n: number }).n) });

    for (let n = 1; n <= 5; n += 1) await one.publish(event('tenant-a', n));
    await eventually('both processes to hear all five', () => fanOut.one!.length === 5 && fanOut.two!.length === 5);
    await one.drain();
    expect(fanOut).toEqual({ one: [1, 2, 3, 4, 5], two: [1, 2, 3, 4, 5] });
    expect(consumed.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("give a tenant's subscriber only that tenant's events, and nothing after unsubscribing", async () => {
    const [one, two] = buses as [JetStreamBus, JetStreamBus];
    const seen: string[] = [];
    const all: string[] = [];
    const unsubscribe = await one.subscribe({ types: [placed.type], tenantId: 'tenant-b', handler: (e) => void seen.push(e.tenantId) });
    await one.subscribe({ types: [placed.type], handler: (e) => void all.push(e.tenantId) });
    await two.publish(event('tenant-a', 1));
    await two.publish(event('tenant-b', 2));
    await eventually('the unfiltered subscriber to hear both', () => all.length >= 2);
    expect(seen).toEqual(['tenant-b']);

    await unsubscribe();
    await two.publish(event('tenant-b', 3));
    await eventually('the unfiltered subscriber to hear the third', () => all.length >= 3);
    expect(seen).toEqual(['tenant-b']);
  });
});
