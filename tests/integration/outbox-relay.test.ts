import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogDb, CatalogTx } from '../../subgraphs/catalog/src/db.js';
import { type EventBus, createEvent, defineEvent, type EventEnvelope, InProcessBus, Inbox, Outbox, OutboxRelay, UnitOfWork } from '#platform/events';
import { catalogOnPglite } from '../harness/catalog-pglite.js';

const logger = pino({ level: 'silent' });
const Probe = defineEvent<{ n: number }>('catalog.probe.recorded', 1, 'Probe');
const TENANT = randomUUID();

let database: Awaited<ReturnType<typeof catalogOnPglite>>;
let db: CatalogDb;
const relays: OutboxRelay[] = [];
const buses: InProcessBus[] = [];

beforeAll(async () => {
  database = await catalogOnPglite();
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  // Relays publish every unpublished row: mark whatever earlier tests (or the seed) left, so each
  // test sees only its own events.
  await db.$executeRawUnsafe(`UPDATE "catalog"."OutboxEvent" SET "publishedAt" = now() WHERE "publishedAt" IS NULL`);
});
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.stop();
  for (const bus of buses.splice(0)) await bus.close();
});

function newBus(): InProcessBus {
  const bus = new InProcessBus(logger, { maxDeliver: 3, backoffMs: [5, 10] });
  buses.push(bus);
  return bus;
}

function newRelay(bus: EventBus, pollMs = 20): OutboxRelay {
  const relay = new OutboxRelay({ service: 'catalog', schema: 'catalog', db: db as never, bus, logger, pollMs, exclusive: false });
  relays.push(relay);
  return relay;
}

/** The transactions a service runs; afterCommit stands for the relay's nudge. */
function unitOfWork(afterCommit: (ids: readonly string[], at: number) => void = () => undefined): UnitOfWork<CatalogTx> {
  return new UnitOfWork<CatalogTx>((fn) => db.$transaction(fn), new Outbox('catalog'), afterCommit);
}

function probe(n: number, aggregateId = randomUUID()): EventEnvelope<{ n: number }> {
  return createEvent(Probe, { tenantId: TENANT, aggregateId, payload: { n } });
}

/** A consumer that records every event it is handed. */
async function recorder(bus: EventBus, consumer = 'test.recorder'): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = [];
  await bus.consume({ consumer, types: [Probe.type], handler: async (e) => void seen.push(e) });
  return seen;
}

/**
 * A bus in front of a real one that remembers the order it was asked to publish in and can be made
 * to fail before or after handing the event on; everything else goes to the real bus.
 */
function scriptedBus(inner: EventBus, script: { failBeforePublish?: number; failAfterPublish?: number; failOnCall?: number } = {}) {
  const published: EventEnvelope[] = [];
  let calls = 0;
  const publish = async (event: EventEnvelope): Promise<void> => {
    calls += 1;
    if (calls === script.failOnCall) throw new Error('bus went away');
    if (script.failBeforePublish && script.failBeforePublish > 0) {
      script.failBeforePublish -= 1;
      throw new Error('bus unreachable');
    }
    await inner.publish(event);
    published.push(event);
    if (script.failAfterPublish && script.failAfterPublish > 0) {
      script.failAfterPublish -= 1;
      throw new Error('process died after publishing');
    }
  };
  const bus = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'publish') return publish;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { bus, published };
}

const outboxRow = async (id: string) =>
  (await db.$queryRawUnsafe<{ publishedAt: Date | null; attempts: number; lastError: string | null }[]>(
    `SELECT "publishedAt", "attempts", "lastError" FROM "catalog"."OutboxEvent" WHERE "id" = $1::uuid`,
    id,
  ))[0];

describe('the outbox and its relay', () => {
  it('never publishes an event written in a transaction that rolled back', async () => {
    const bus = newBus();
    const seen = await recorder(bus);
    const relay = newRelay(bus);
    const event = probe(1);
    let nudged = false;
    const uow = unitOfWork(() => (nudged = true));

    await expect(
      uow.execute(async (tx, events) => {
        await events.emit(event);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');

    await relay.flush();
    await bus.drain();
    expect(seen).toEqual([]);
    expect(await outboxRow(event.id)).toBeUndefined();
    expect(nudged).toBe(false);
  });

  it('publishes a committed event once and marks it published', async () => {
    const bus = newBus();
    const seen = await recorder(bus);
    const relay = newRelay(bus);
    let nudged = 0;
    const event = probe(7);
    await unitOfWork(() => (nudged += 1)).execute(async (_tx, events) => events.emit(event));
    expect(nudged).toBe(1);
    expect((await outboxRow(event.id))?.publishedAt).toBeNull();

    await relay.flush();
    await relay.flush();
    await bus.drain();
    expect(seen.map((e) => e.id)).toEqual([event.id]);
    expect(seen[0]).toMatchObject({ type: Probe.type, version: 1, tenantId: TENANT, aggregateType: 'Probe', aggregateId: event.aggregateId, payload: { n: 7 } });
    expect(seen[0]!.occurredAt).toBe(event.occurredAt);
    expect((await outboxRow(event.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it('stamps each event with when its transaction committed, and relayed after a restart without it', async () => {
    const bus = newBus();
    const seen = await recorder(bus);
    const relay = newRelay(bus);
    const told: { ids: readonly string[]; at: number }[] = [];
    const [first, second] = [probe(1), probe(2)];
    await unitOfWork((ids, at) => {
      told.push({ ids, at });
      relay.committed(ids, at);
    }).execute(async (_tx, events) => events.emitAll([first!, second!]));
    // committed by a process that died before its relay ran: no commit time is known for it
    const orphan = probe(3);
    await unitOfWork().execute(async (_tx, events) => events.emit(orphan));

    await relay.flush();
    await bus.drain();
    expect(told).toEqual([{ ids: [first!.id, second!.id], at: expect.any(Number) }]);
    const byId = new Map(seen.map((e) => [e.id, e]));
    for (const event of [first!, second!]) {
      const committedAt = byId.get(event.id)!.committedAt!;
      expect(Date.parse(committedAt)).toBe(told[0]!.at);
      expect(Date.parse(committedAt)).toBeGreaterThanOrEqual(Date.parse(event.occurredAt));
    }
    expect(byId.get(orphan.id)).toBeDefined();
    expect(byId.get(orphan.id)!.committedAt).toBeUndefined();
  });

  it('publishes on its own once started, without a flush', async () => {
    const bus = newBus();
    const seen = await recorder(bus);
    const relay = newRelay(bus);
    relay.start();
    const event = probe(1);
    await unitOfWork(() => relay.nudge()).execute(async (_tx, events) => events.emit(event));
    await expect.poll(() => seen.map((e) => e.id)).toEqual([event.id]);
    await expect.poll(async () => (await outboxRow(event.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it('publishes events in commit order, across transactions and within one', async () => {
    const { bus, published } = scriptedBus(newBus());
    const relay = newRelay(bus);
    const uow = unitOfWork();
    const expected: string[] = [];
    for (let t = 0; t < 5; t += 1) {
      await uow.execute(async (_tx, events) => {
        for (let k = 0; k < 3; k += 1) {
          // every event of its own aggregate: order here comes from the outbox alone
          const event = probe(t * 10 + k);
          expected.push(event.id);
          await events.emit(event);
        }
      });
    }
    await relay.flush();
    expect(published.map((e) => e.id)).toEqual(expected);
  });

  it('publishes in order across batches when there are more events than one batch', async () => {
    const { bus, published } = scriptedBus(newBus());
    const relay = new OutboxRelay({ service: 'catalog', schema: 'catalog', db: db as never, bus, logger, pollMs: 20, exclusive: false, batchSize: 4 });
    relays.push(relay);
    const expected: string[] = [];
    await unitOfWork().execute(async (_tx, events) => {
      for (let n = 0; n < 10; n += 1) {
        const event = probe(n);
        expected.push(event.id);
        await events.emit(event);
      }
    });
    await relay.flush();
    expect(published.map((e) => e.id)).toEqual(expected);
  });

  it('delivers after a restart what a relay killed between commit and publish never sent', async () => {
    // The process commits, then dies before its relay runs: nobody is nudged and nothing is sent.
    const events = [probe(1), probe(2), probe(3)];
    await unitOfWork().execute(async (_tx, sink) => {
      for (const e of events) await sink.emit(e);
    });
    for (const e of events) expect((await outboxRow(e.id))?.publishedAt).toBeNull();

    // After the restart: a new bus, a new relay, started as a subgraph starts it.
    const bus = newBus();
    const seen = await recorder(bus);
    const relay = newRelay(bus);
    relay.start();
    await expect.poll(() => seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
    for (const e of events) await expect.poll(async () => (await outboxRow(e.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it('keeps an event the bus refused, records the failure, and delivers it on the next run', async () => {
    const order = randomUUID();
    const event = probe(1, order);
    const later = probe(2, order);
    await unitOfWork().execute(async (_tx, sink) => {
      await sink.emit(event);
      await sink.emit(later);
    });

    const inner = newBus();
    const seen = await recorder(inner);
    const failing = scriptedBus(inner, { failBeforePublish: 1 });
    await expect(newRelay(failing.bus).flush()).rejects.toThrow('bus unreachable');
    await inner.drain();
    expect(seen).toEqual([]);
    expect(await outboxRow(event.id)).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'bus unreachable' });
    // the later event does not overtake the one that failed
    expect((await outboxRow(later.id))?.publishedAt).toBeNull();

    await newRelay(inner).flush();
    await inner.drain();
    expect(seen.map((e) => e.id)).toEqual([event.id, later.id]);
    expect((await outboxRow(event.id))?.publishedAt).toBeInstanceOf(Date);
    expect((await outboxRow(later.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it('re-publishes after a crash between publish and mark, and the bus hands the consumer the event once', async () => {
    const event = probe(1);
    await unitOfWork().execute(async (_tx, sink) => sink.emit(event));
    const bus = newBus();
    const seen = await recorder(bus);

    // publishes, then "dies" before marking
    const crashing = scriptedBus(bus, { failAfterPublish: 1 });
    await expect(newRelay(crashing.bus).flush()).rejects.toThrow('process died after publishing');
    expect((await outboxRow(event.id))?.publishedAt).toBeNull();

    const restarted = scriptedBus(bus);
    await newRelay(restarted.bus).flush();
    await bus.drain();
    expect(restarted.published.map((e) => e.id)).toEqual([event.id]);
    expect(seen.map((e) => e.id)).toEqual([event.id]);
    expect((await outboxRow(event.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it('re-publishes after a crash between publish and mark, and the consumer inbox gives one effect across a bus restart', async () => {
    const event = probe(1);
    await unitOfWork().execute(async (_tx, sink) => sink.emit(event));
    const inbox = new Inbox('catalog');
    const consumerUow = unitOfWork();
    let effects = 0;
    let deliveries = 0;
    const idempotentConsumer = (bus: EventBus) =>
      bus.consume({
        consumer: 'test.effect',
        types: [Probe.type],
        handler: async (e) => {
          deliveries += 1;
          const applied = await consumerUow.execute(async (tx) => inbox.claim(tx, 'test.effect', e.id));
          if (applied) effects += 1;
        },
      });

    // first process: publishes to its in-memory bus, the consumer handles it, then the relay dies before marking
    const first = newBus();
    await idempotentConsumer(first);
    await expect(newRelay(scriptedBus(first, { failAfterPublish: 1 }).bus).flush()).rejects.toThrow('process died after publishing');
    await first.drain();

    // second process: a fresh bus remembers no event ids, so the event comes again
    const second = newBus();
    await idempotentConsumer(second);
    await newRelay(second).flush();
    await second.drain();

    expect(deliveries).toBe(2);
    expect(effects).toBe(1);
    const claimed = await db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "catalog"."ProcessedEvent" WHERE "consumer" = 'test.effect' AND "eventId" = $1::uuid`,
      event.id,
    );
    expect(claimed[0]!.n).toBe(1);
    expect((await outboxRow(event.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it("marks what it published before a failure and only that, and an order's later event waits for its earlier one", async () => {
    const order = randomUUID();
    const events = [probe(1, order), probe(2, order), probe(3, order)];
    await unitOfWork().execute(async (_tx, sink) => {
      for (const e of events) await sink.emit(e);
    });
    // publishes the first, then the bus goes away
    const bus = newBus();
    const seen = await recorder(bus);
    const flaky = scriptedBus(bus, { failOnCall: 2 });
    await expect(newRelay(flaky.bus).flush()).rejects.toThrow('bus went away');
    expect((await outboxRow(events[0]!.id))?.publishedAt).toBeInstanceOf(Date);
    expect(await outboxRow(events[1]!.id)).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'bus went away' });
    expect((await outboxRow(events[2]!.id))?.publishedAt).toBeNull();

    await newRelay(bus).flush();
    await bus.drain();
    expect(flaky.published.map((e) => e.id)).toEqual([events[0]!.id]);
    expect(seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('publishes the events of different aggregates together, and a failure holds back only what comes after it', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    // one wave: a1, b1; the next: a2 (a repeats); b2 joins it
    const events = [probe(1, a), probe(2, b), probe(3, a), probe(4, b)];
    await unitOfWork().execute(async (_tx, sink) => {
      for (const e of events) await sink.emit(e);
    });
    const bus = newBus();
    const seen = await recorder(bus);
    const flaky = scriptedBus(bus, { failOnCall: 1 });
    await expect(newRelay(flaky.bus).flush()).rejects.toThrow('bus went away');
    // b1 shared the failed wave and was stored; a2 and b2 were never sent
    expect(flaky.published.map((e) => e.id)).toEqual([events[1]!.id]);
    expect(await outboxRow(events[0]!.id)).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'bus went away' });
    expect((await outboxRow(events[1]!.id))?.publishedAt).toBeInstanceOf(Date);
    expect((await outboxRow(events[2]!.id))?.publishedAt).toBeNull();
    expect((await outboxRow(events[3]!.id))?.publishedAt).toBeNull();

    await newRelay(bus).flush();
    await bus.drain();
    const order = (aggregate: string) => seen.filter((e) => e.aggregateId === aggregate).map((e) => e.id);
    expect(order(a)).toEqual([events[0]!.id, events[2]!.id]);
    expect(order(b)).toEqual([events[1]!.id, events[3]!.id]);
  });
});
