import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderEvents } from '#contracts';
import { createEvent, type EventEnvelope } from '#platform/events';
import type { ShippingData } from '../../subgraphs/shipping/src/context.js';
import type { ShippingServices } from '../../subgraphs/shipping/src/services/index.js';
import { ACME, identityOf, serviceHarness, type ServiceHarness } from '../harness/services.js';

// A consumer's events handed over together are applied in one transaction (platform/subgraph/event-batches.ts).
let shipping: ServiceHarness<ShippingData, ShippingServices>;
const alice = identityOf(ACME, 'CUSTOMER');

beforeAll(async () => {
  shipping = await serviceHarness<ShippingData, ShippingServices>('shipping');
});

afterAll(async () => {
  await shipping.close();
});

const confirmedEvent = (orderId: string): EventEnvelope =>
  createEvent(OrderEvents.confirmed, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId } });

/** Hands the events to shipping's consumer at once, as a pull from the bus does; the outcome of each. */
function deliverTogether(events: EventEnvelope[]): Promise<PromiseSettledResult<void>[]> {
  const consumer = shipping.subgraph.consumers.find((c) => c.types.includes(OrderEvents.confirmed.type))!;
  return Promise.allSettled(events.map((event) => consumer.handler(event)));
}

const shipmentCount = async (orderIds: string[]) =>
  (await shipping.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "shipping"."Shipment" WHERE "orderId" = ANY($1::uuid[])`, orderIds))[0]!.n;
const claimed = async (eventIds: string[]) =>
  (await shipping.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "shipping"."ProcessedEvent" WHERE "eventId" = ANY($1::uuid[])`, eventIds))[0]!.n;

describe('event batches', () => {
  it('applies events handed over together in one transaction: one claim and one outbox statement for all of them', async () => {
    const orderIds = Array.from({ length: 8 }, (): string => randomUUID());
    const events = orderIds.map(confirmedEvent);
    const before = shipping.subgraph.runtime.statements.total;

    const outcomes = await deliverTogether(events);
    const used = shipping.subgraph.runtime.statements.total - before;

    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('fulfilled'));
    expect(await shipmentCount(orderIds)).toBe(8);
    expect(await claimed(events.map((e) => e.id))).toBe(8);
    const created = (await shipping.outbox(ShipmentEventType)).filter((e) => orderIds.includes(e.aggregateId));
    expect(created).toHaveLength(8);
    // per event only its own statements; the claims and the outbox rows are one statement each
    const perEvent = (used - 2) / 8;
    expect(perEvent).toBe(1);
  });

  it('sends back only the event that fails: the others of its batch commit, its own claim and events are rolled back', async () => {
    const orderIds = Array.from({ length: 5 }, (): string => randomUUID());
    const good = orderIds.map(confirmedEvent);
    // a malformed payload the database refuses (an order id that is not a uuid)
    const poison = createEvent(OrderEvents.confirmed, { tenantId: ACME.id, aggregateId: 'not-an-order', payload: { orderId: 'not-an-order', customerId: alice.userId } });

    const outcomes = await deliverTogether([good[0]!, good[1]!, poison, good[2]!, good[3]!, good[4]!]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await shipmentCount(orderIds)).toBe(5);
    expect(await claimed(good.map((e) => e.id))).toBe(5);
    expect(await claimed([poison.id])).toBe(0);
    expect((await shipping.outbox(ShipmentEventType)).filter((e) => e.aggregateId === 'not-an-order')).toEqual([]);

    // its redelivery fails the same way and changes nothing; the others' redeliveries change nothing either
    const again = await deliverTogether([poison, ...good]);
    expect(again.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await shipmentCount(orderIds)).toBe(5);
    expect((await shipping.outbox(ShipmentEventType)).filter((e) => orderIds.includes(e.aggregateId))).toHaveLength(5);
  });
});

const ShipmentEventType = 'shipping.shipment.created';
