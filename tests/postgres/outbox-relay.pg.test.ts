import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdapterFactory, StatementCounter } from '#platform/db';
import { createEvent, defineEvent, type EventBus, type EventEnvelope, InProcessBus, Outbox, OutboxRelay, UnitOfWork } from '#platform/events';
import { createCatalogDb, type CatalogDb, type CatalogTx } from '../../subgraphs/catalog/src/db.js';
import { admin, scratchDatabase, type ScratchDatabase } from '../harness/postgres-admin.js';

// On PostgreSQL the relay publishes inside a transaction that holds its advisory lock (replicas take
// turns); what it records about a failed publish must outlive the failure.
let database: ScratchDatabase;
const logger = pino({ level: 'silent' });
const Probe = defineEvent<{ n: number }>('catalog.probe.recorded', 1, 'Probe');
const TENANT = randomUUID();

let db: CatalogDb;
const buses: InProcessBus[] = [];

beforeAll(async () => {
  database = await scratchDatabase('relay_test', 'catalog', { outbox: true });
  db = createCatalogDb(createAdapterFactory({ kind: 'postgres', url: database.url, poolSize: 2 }, new StatementCounter('catalog')));
});

afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

function relayOn(bus: EventBus): OutboxRelay {
  return new OutboxRelay({ service: 'catalog', schema: 'catalog', db: db as never, bus, logger, pollMs: 20, exclusive: true });
}

/** A real in-process bus that refuses the publishes whose call number is listed. */
function refusing(calls: number[]): { bus: EventBus; inner: InProcessBus; seen: EventEnvelope[] } {
  const inner = new InProcessBus(logger);
  buses.push(inner);
  const seen: EventEnvelope[] = [];
  void inner.consume({ consumer: 'test.recorder', types: [Probe.type], handler: async (e) => void seen.push(e) });
  let call = 0;
  const bus = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'publish') {
        return async (event: EventEnvelope) => {
          call += 1;
          if (calls.includes(call)) throw new Error(`NATS unreachable (call ${call})`);
          await target.publish(event);
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { bus, inner, seen };
}

async function rowOf(id: string) {
  const [row] = await db.$queryRawUnsafe<{ publishedAt: Date | null; attempts: number; lastError: string | null }[]>(
    `SELECT "publishedAt", "attempts", "lastError" FROM "catalog"."OutboxEvent" WHERE "id" = $1::uuid`,
    id,
  );
  return row;
}

describe('the outbox relay on PostgreSQL', () => {
  it('keeps the attempts and last error of an event the bus refused, across failed runs, and publishes it once the bus is back', async () => {
    const order = randomUUID();
    const event = createEvent(Probe, { tenantId: TENANT, aggregateId: order, payload: { n: 1 } });
    const later = createEvent(Probe, { tenantId: TENANT, aggregateId: order, payload: { n: 2 } });
    await new UnitOfWork<CatalogTx>((fn) => db.$transaction(fn), new Outbox('catalog'), () => undefined).execute(async (_tx, sink) => {
      await sink.emit(event);
      await sink.emit(later);
    });

    const down = refusing([1, 2]);
    const relay = relayOn(down.bus);
    await expect(relay.flush()).rejects.toThrow('NATS unreachable (call 1)');
    expect(await rowOf(event.id)).toMatchObject({ publishedAt: null, attempts: 1, lastError: 'NATS unreachable (call 1)' });
    await expect(relay.flush()).rejects.toThrow('NATS unreachable (call 2)');
    expect(await rowOf(event.id)).toMatchObject({ publishedAt: null, attempts: 2, lastError: 'NATS unreachable (call 2)' });
    // the order's later event waits behind the one that failed
    expect(await rowOf(later.id)).toMatchObject({ publishedAt: null, attempts: 0, lastError: null });

    await relay.flush();
    await down.inner.drain();
    expect(down.seen.map((e) => e.id)).toEqual([event.id, later.id]);
    expect((await rowOf(event.id))?.publishedAt).toBeInstanceOf(Date);
    expect(await rowOf(event.id)).toMatchObject({ attempts: 2, lastError: 'NATS unreachable (call 2)' });
    expect((await rowOf(later.id))?.publishedAt).toBeInstanceOf(Date);
  });

  it('leaves every event of a batch unpublished when its connection dies before the commit, and publishes them on the next run', async () => {
    const events = Array.from({ length: 3 }, (_, n) => createEvent(Probe, { tenantId: TENANT, aggregateId: randomUUID(), payload: { n } }));
    await new UnitOfWork<CatalogTx>((fn) => db.$transaction(fn), new Outbox('catalog'), () => undefined).execute(async (_tx, sink) => {
      for (const event of events) await sink.emit(event);
    });
    const up = refusing([]);
    let killed = false;
    // the relay's connection dies while the batch is being published: the transaction that marked it never commits
    const dying = new Proxy(up.bus, {
      get(target, prop) {
        if (prop === 'publish') {
          return async (event: EventEnvelope) => {
            await target.publish(event);
            if (killed) return;
            killed = true;
            await admin(`SELECT pg_terminate_backend("pid") FROM pg_stat_activity WHERE "datname" = '${database.name}' AND "state" = 'idle in transaction'`);
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(relayOn(dying).flush()).rejects.toThrow();
    for (const event of events) expect((await rowOf(event.id))?.publishedAt).toBeNull();

    await relayOn(up.bus).flush();
    await up.inner.drain();
    for (const event of events) expect((await rowOf(event.id))?.publishedAt).toBeInstanceOf(Date);
    // published in the batch that died and again in the next: consumers are idempotent on the id
    expect(new Set(up.seen.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
  });

  it('lets two replicas of a relay take turns: every event published once, in order', async () => {
    const order = randomUUID();
    const events = Array.from({ length: 30 }, (_, n) => createEvent(Probe, { tenantId: TENANT, aggregateId: order, payload: { n } }));
    await new UnitOfWork<CatalogTx>((fn) => db.$transaction(fn), new Outbox('catalog'), () => undefined).execute(async (_tx, sink) => {
      for (const event of events) await sink.emit(event);
    });
    const up = refusing([]);
    let calls = 0;
    const counting = new Proxy(up.bus, {
      get(target, prop) {
        if (prop === 'publish') return async (event: EventEnvelope) => ((calls += 1), target.publish(event));
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const [a, b] = [relayOn(counting), relayOn(counting)];
    await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
    await a.flush();
    await up.inner.drain();
    expect(calls).toBe(events.length);
    expect(up.seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});
