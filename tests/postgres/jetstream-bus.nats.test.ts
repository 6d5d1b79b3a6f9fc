import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryPolicy, createEvent, defineEvent, type EventEnvelope, JetStreamBus, type JetStreamBusOptions } from '#platform/events';
import { eventsConsumed, eventsDeadLettered } from '#platform/observability';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NatsProcess } from '../harness/process-stack.js';

// One test stops NATS, so the file runs a nats-server of its own (JetStream on a store of its own,
// which outlives a restart), never the machine's. Every test gets streams and subjects of its own
// and deletes them afterwards.
let nats: NatsProcess;
let natsStore: string;
let NATS_URL: string;

function natsAcceptsConnections(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: nats.port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts this file's nats-server unless it runs, then waits until JetStream answers. */
async function ensureNatsRunning(): Promise<void> {
  if (!(await natsAcceptsConnections())) await nats.start();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const probe = await connect({ servers: NATS_URL, timeout: 1_000 });
      try {
        await (await jetstreamManager(probe)).getAccountInfo();
        return;
      } finally {
        await probe.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

const placed = defineEvent<{ n: number }>('orders.order.placed', 1, 'Order');
const cancelled = defineEvent<{ n: number }>('orders.order.cancelled', 1, 'Order');
const captured = defineEvent<{ n: number }>('payments.payment.captured', 1, 'Payment');
const shipped = defineEvent<{ n: number }>('shipping.shipment.shipped', 1, 'Shipment');

let admin: NatsConnection;
let jsm: JetStreamManager;
const buses: JetStreamBus[] = [];
const streams: string[] = [];

function layout(): Required<Pick<JetStreamBusOptions, 'stream' | 'subjectPrefix' | 'deadLetterStream' | 'deadLetterPrefix'>> {
  const id = randomBytes(5).toString('hex');
  streams.push(`T_EV_${id}`, `T_DLQ_${id}`);
  return { stream: `T_EV_${id}`, subjectPrefix: `t_ev_${id}`, deadLetterStream: `T_DLQ_${id}`, deadLetterPrefix: `t_dlq_${id}` };
}

async function openBus(names: ReturnType<typeof layout>, options: JetStreamBusOptions = {}): Promise<JetStreamBus> {
  const bus = await JetStreamBus.connect(NATS_URL, logger, { ...names, ...options });
  buses.push(bus);
  return bus;
}

function event(definition: typeof placed, aggregateId: string, n = 0, tenantId = 'tenant-a'): EventEnvelope<{ n: number }> {
  return createEvent(definition, { tenantId, aggregateId, payload: { n } });
}

/** Waits (with a deadline) until the condition holds. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function counter(metric: typeof eventsConsumed | typeof eventsDeadLettered, labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

function uniqueConsumer(name: string): string {
  return `${name}_${randomBytes(3).toString('hex')}`;
}

beforeAll(async () => {
  natsStore = mkdtempSync(join(tmpdir(), 'sc-jetstream-bus-'));
  nats = new NatsProcess(await freePort(), natsStore);
  NATS_URL = nats.url;
  await ensureNatsRunning();
  admin = await connect({ servers: NATS_URL, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  jsm = await jetstreamManager(admin);
});

afterEach(async () => {
  await Promise.allSettled(buses.splice(0).map((bus) => bus.close()));
  for (const name of streams.splice(0)) {
    await jsm.streams.delete(name).catch(() => undefined);
  }
});

afterAll(async () => {
  await admin?.close();
  await nats?.stop();
  if (natsStore) rmSync(natsStore, { recursive: true, force: true });
});

describe('JetStreamBus', () => {
  it('delivers a published event to a durable consumer once', async () => {
    const names = layout();
    const consumer = uniqueConsumer('inventory');
    const handled: string[] = [];
    const handler = async (e: EventEnvelope): Promise<void> => {
      handled.push(e.id);
    };

    const first = await openBus(names);
    await first.consume({ consumer, types: [placed.type], handler });
    const e1 = event(placed, 'order-1');
    await first.publish(e1);
    await first.publish(event(captured, 'payment-1')); // a type the consumer does not want
    await first.drain();
    expect(handled).toEqual([e1.id]);
    expect(await counter(eventsConsumed, { consumer, type: placed.type, outcome: 'ok' })).toBe(1);
    await first.close();

    // durable: what is published while no replica runs waits for the next one; what was acked is not seen again
    const publisher = await openBus(names);
    const e2 = event(placed, 'order-2');
    await publisher.publish(e2);
    const second = await openBus(names);
    await second.consume({ consumer, types: [placed.type], handler });
    await second.drain();
    expect(handled).toEqual([e1.id, e2.id]);

    const info = await jsm.consumers.info(names.stream, consumer);
    expect(info.config.durable_name).toBe(consumer);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  }, 30_000);

  it('creates streams and consumers idempotently and routes events by tenant and type', async () => {
    const names = layout();
    const consumer = uniqueConsumer('orders');
    const a = await openBus(names);
    const b = await openBus(names); // same streams again: no error
    const stream = await jsm.streams.info(names.stream);
    expect(stream.config.subjects).toEqual([`${names.subjectPrefix}.>`]);
    expect(stream.config.storage).toBe('file');
    expect(stream.config.duplicate_window).toBe(120_000_000_000);
    const dlq = await jsm.streams.info(names.deadLetterStream);
    expect(dlq.config.subjects).toEqual([`${names.deadLetterPrefix}.>`]);

    const handled: string[] = [];
    await a.consume({ consumer, types: [placed.type, cancelled.type, shipped.type], handler: async (e) => void handled.push(e.type) });
    const config = (await jsm.consumers.info(names.stream, consumer)).config;
    expect(config.ack_policy).toBe('explicit');
    await a.close();
    await b.consume({ consumer, types: [placed.type, cancelled.type, shipped.type], handler: async (e) => void handled.push(e.type) });

    const sent = [event(placed, 'o1', 0, 'tenant-x'), event(captured, 'p1', 0, 'tenant-x'), event(cancelled, 'o1', 0, 'tenant-y'), event(shipped, 's1', 0, 'tenant-y')];
    for (const e of sent) await b.publish(e);
    await b.drain();
    expect(handled).toEqual([placed.type, cancelled.type, shipped.type]);

    const last = await jsm.streams.getMessage(names.stream, { last_by_subj: `${names.subjectPrefix}.tenant-y.${cancelled.type}` });
    expect(last?.json<EventEnvelope>().id).toBe(sent[2]!.id);
    expect(last?.header.get('Nats-Msg-Id')).toBe(sent[2]!.id);
  }, 30_000);

  it('drops a duplicate publish with the same event id', async () => {
    const names = layout();
    const consumer = uniqueConsumer('payments');
    const bus = await openBus(names);
    const handled: string[] = [];
    await bus.consume({ consumer, types: [placed.type], handler: async (e) => void handled.push(e.id) });

    const e = event(placed, 'order-1');
    await bus.publish(e);
    await bus.publish(structuredClone(e)); // e.g. the relay crashed between publish and marking it published
    await bus.drain();

    expect(handled).toEqual([e.id]);
    expect((await jsm.streams.info(names.stream)).state.messages).toBe(1);
  }, 30_000);

  it('two bus instances sharing a consumer name split the events (each event handled once overall)', async () => {
    const names = layout();
    const consumer = uniqueConsumer('shipping');
    const a = await openBus(names, { prefetch: 4 });
    const b = await openBus(names, { prefetch: 4 });
    const byA: string[] = [];
    const byB: string[] = [];
    const slow = (into: string[]) => async (e: EventEnvelope): Promise<void> => {
      await new Promise((r) => setTimeout(r, 5));
      into.push(e.id);
    };
    await a.consume({ consumer, types: [placed.type], handler: slow(byA) });
    await b.consume({ consumer, types: [placed.type], handler: slow(byB) });
    // both replicas have a pull waiting before anything is published
    await waitFor('both replicas to pull', async () => (await jsm.consumers.info(names.stream, consumer)).num_waiting >= 2);

    const sent: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const e = event(placed, `order-${i}`, i);
      sent.push(e.id);
      await a.publish(e);
    }
    await a.drain();
    await b.drain();

    const all = [...byA, ...byB];
    expect(all.length).toBe(sent.length);
    expect(new Set(all)).toEqual(new Set(sent));
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
  }, 30_000);

  it('retries a failing handler with backoff and then succeeds', async () => {
    const names = layout();
    const consumer = uniqueConsumer('catalog');
    const delivery: DeliveryPolicy = { maxDeliver: 5, backoffMs: [300, 600] };
    const bus = await openBus(names, { delivery });
    const attempts: number[] = [];
    await bus.consume({
      consumer,
      types: [placed.type],
      handler: async () => {
        attempts.push(Date.now());
        if (attempts.length < 3) throw new Error(`transient failure ${attempts.length}`);
      },
    });
    await bus.publish(event(placed, 'order-1'));
    await bus.drain();

    expect(attempts).toHaveLength(3);
    // JetStream held the redeliveries back by the policy's delays (lower bounds, with a little slack)
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(250);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(500);
    expect(await counter(eventsConsumed, { consumer, outcome: 'redelivered' })).toBe(1);
    expect(await counter(eventsConsumed, { consumer, outcome: 'ok' })).toBe(0);
    expect(await bus.deadLetters()).toEqual([]);
  }, 30_000);

  it('dead-letters after max_deliver attempts and the DLQ holds it with the error', async () => {
    const names = layout();
    const consumer = uniqueConsumer('accounts');
    const bus = await openBus(names, { delivery: { maxDeliver: 3, backoffMs: [20, 40] } });
    const tries = new Map<string, number>();
    const handledAfter: string[] = [];
    await bus.consume({
      consumer,
      types: [placed.type, cancelled.type],
      handler: async (e) => {
        tries.set(e.id, (tries.get(e.id) ?? 0) + 1);
        if (e.type === placed.type) throw new Error('poison: cannot reserve stock\nsecond line');
        handledAfter.push(e.id);
      },
    });
    const poison = event(placed, 'order-1');
    const next = event(cancelled, 'order-1'); // same aggregate: handled once the first is dead-lettered
    await bus.publish(poison);
    await bus.publish(next);
    await bus.drain();

    expect(tries.get(poison.id)).toBe(3);
    expect(handledAfter).toEqual([next.id]);
    const letters = await bus.deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ consumer, attempts: 3, event: poison });
    expect(letters[0]!.error).toBe('poison: cannot reserve stock second line');
    expect(Date.parse(letters[0]!.at)).not.toBeNaN();
    expect(await bus.deadLetters({ consumer })).toHaveLength(1);
    expect(await bus.deadLetters({ consumer: 'someone-else' })).toEqual([]);

    const stored = await jsm.streams.getMessage(names.deadLetterStream, { last_by_subj: `${names.deadLetterPrefix}.${consumer}.${placed.type}` });
    expect(stored?.header.get('Dlq-Consumer')).toBe(consumer);
    expect(stored?.header.get('Dlq-Attempts')).toBe('3');
    expect(await counter(eventsDeadLettered, { consumer, type: placed.type })).toBe(1);
    expect(await counter(eventsConsumed, { consumer, type: placed.type, outcome: 'dead_lettered' })).toBe(1);
    // the original is acked at the consumer: nothing left to redeliver
    const info = await jsm.consumers.info(names.stream, consumer);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  }, 30_000);

  it('dead-letters an event whose last attempt never finished because its process died', async () => {
    const names = layout();
    const consumer = uniqueConsumer('crashed');
    const settings = { ...names, ackWaitMs: 1_000, delivery: { maxDeliver: 2, backoffMs: [50] } };
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/harness/jetstream-consumer-process.ts'], {
      env: { ...process.env, JETSTREAM_CONSUMER: JSON.stringify({ url: NATS_URL, consumer, types: [placed.type], options: settings }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const lines: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
      await waitFor('the consumer process to start', () => lines.includes('ready'));
      const publisher = await openBus(names);
      const poison = event(placed, 'order-1');
      await publisher.publish(poison);
      // the first attempt fails; the second (the policy's last) hangs, and the process dies in it
      await waitFor('the last attempt to start', () => lines.includes(`attempt ${poison.id} 2`));
      child.kill('SIGKILL');
      await exited;

      const handled: string[] = [];
      const survivor = await openBus(names, settings);
      await survivor.consume({ consumer, types: [placed.type], handler: async (e) => void handled.push(e.id) });
      await survivor.drain();

      expect(handled).toEqual([]); // attempts are used up: the redelivery goes to the dead-letter stream unhandled
      const letters = await survivor.deadLetters({ consumer });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ consumer, attempts: 3, event: poison, error: 'delivery attempts exhausted: the last attempt did not complete' });
      const info = await jsm.consumers.info(names.stream, consumer);
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_pending).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('keeps per-aggregate order', async () => {
    const names = layout();
    const consumer = uniqueConsumer('projections');
    const bus = await openBus(names, { delivery: { maxDeliver: 5, backoffMs: [50] } });
    const seen = new Map<string, number[]>();
    const running = new Map<string, number>();
    let overlapSameAggregate = 0;
    let maxParallel = 0;
    let parallel = 0;
    const failOnce = new Set<string>();
    await bus.consume({
      consumer,
      types: [placed.type, cancelled.type],
      handler: async (e) => {
        const { n } = e.payload as { n: number };
        const now = (running.get(e.aggregateId) ?? 0) + 1;
        running.set(e.aggregateId, now);
        if (now > 1) overlapSameAggregate += 1;
        parallel += 1;
        maxParallel = Math.max(maxParallel, parallel);
        try {
          await new Promise((r) => setTimeout(r, (n * 7) % 5));
          // a failure in the middle of an aggregate's stream must not let its later events overtake it
          if (n === 3 && !failOnce.has(e.aggregateId)) {
            failOnce.add(e.aggregateId);
            throw new Error('fails once');
          }
          seen.set(e.aggregateId, [...(seen.get(e.aggregateId) ?? []), n]);
        } finally {
          running.set(e.aggregateId, (running.get(e.aggregateId) ?? 1) - 1);
          parallel -= 1;
        }
      },
    });

    const aggregates = ['a', 'b', 'c', 'd'];
    const perAggregate = 12;
    for (let n = 0; n < perAggregate; n += 1) {
      for (const id of aggregates) await bus.publish(event(n % 2 === 0 ? placed : cancelled, `order-${id}`, n));
    }
    await bus.drain();

    for (const id of aggregates) expect(seen.get(`order-${id}`)).toEqual([...Array(perAggregate).keys()]);
    expect(overlapSameAggregate).toBe(0);
    expect(maxParallel).toBeGreaterThan(1); // different aggregates do run side by side
  }, 30_000);

  it('a consumer resumes after the NATS server restarts and the backlog drains with nothing lost', async () => {
    const names = layout();
    const consumer = uniqueConsumer('outage');
    const bus = await openBus(names, { ackWaitMs: 2_000, publishTimeoutMs: 1_000, delivery: { maxDeliver: 50, backoffMs: [100, 250] } });
    const handled = new Set<string>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await bus.consume({
      consumer,
      types: [placed.type],
      handler: async (e) => {
        await gate;
        handled.add(e.id);
      },
    });

    const sent: EventEnvelope[] = [];
    for (let i = 0; i < 20; i += 1) {
      const e = event(placed, `order-${i % 5}`, i);
      sent.push(e);
      await bus.publish(e);
    }
    // handlers are stuck behind the gate: deliveries are in flight, unacked, when the server goes away
    await waitFor('deliveries in flight', async () => (await jsm.consumers.info(names.stream, consumer)).num_ack_pending > 0);

    try {
      await nats.stop();
      await waitFor('NATS to stop', async () => !(await natsAcceptsConnections()));
      release();
      const whileDown = event(placed, 'order-down', 100);
      await expect(bus.publish(whileDown)).rejects.toThrow();
      sent.push(whileDown); // the outbox relay keeps it and publishes it again below
      await ensureNatsRunning();
      await waitFor('the relay-style retry of the failed publish', async () => bus.publish(whileDown).then(() => true, () => false));
    } finally {
      release();
      await ensureNatsRunning();
    }

    for (let i = 0; i < 20; i += 1) {
      const e = event(placed, `order-after-${i % 4}`, 200 + i);
      sent.push(e);
      await waitFor('publish to succeed after the restart', async () => bus.publish(e).then(() => true, () => false));
    }
    await bus.drain();

    expect([...sent.map((e) => e.id)].filter((id) => !handled.has(id))).toEqual([]);
    expect(await bus.deadLetters()).toEqual([]);
    const info = await jsm.consumers.info(names.stream, consumer);
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(0);
  }, 120_000);
});
