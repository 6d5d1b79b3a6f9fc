import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderEvents } from '#contracts';
import type { Identity } from '#platform/auth';
import { demoId } from '../../../prisma/demo-data.js';
import type { ShippingData } from '../../../subgraphs/shipping/src/context.js';
import type { ShippingServices } from '../../../subgraphs/shipping/src/services/index.js';
import type { ShipmentStatus } from '../../../subgraphs/shipping/src/generated/prisma/client.js';
import { refusalOf } from '../../harness/errors.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';

let shipping: ServiceHarness<ShippingData, ShippingServices>;
const alice = identityOf(ACME, 'CUSTOMER');
const acmeAdmin = identityOf(ACME, 'ADMIN');
const globexAdmin = identityOf(GLOBEX, 'ADMIN');

beforeAll(async () => {
  shipping = await serviceHarness<ShippingData, ShippingServices>('shipping');
});

afterAll(async () => {
  await shipping.close();
});

const confirmed = (orderId: string = randomUUID()) =>
  shipping.deliver(OrderEvents.confirmed, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId } });
const cancelled = (orderId: string) =>
  shipping.deliver(OrderEvents.cancelled, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, reason: 'Cancelled by the shop', requested: true, total: { amount: 100, currency: 'USD' } } });
const shipmentsOf = (orderId: string) =>
  shipping.sql<{ id: string; status: ShipmentStatus; carrier: string; trackingNumber: string; shippedAt: Date | null; deliveredAt: Date | null }>(
    `SELECT "id", "status", "carrier", "trackingNumber", "shippedAt", "deliveredAt" FROM "shipping"."Shipment" WHERE "orderId" = $1`, orderId,
  );
const eventsOf = async (type: string, orderId: string) => (await shipping.outbox(type)).filter((e) => e.aggregateId === orderId).map((e) => e.payload);
/** Every shipment event of an order, by short name, oldest first. */
const storyOf = async (orderId: string) =>
  (await shipping.outbox()).filter((e) => e.aggregateId === orderId && e.type.startsWith('shipping.shipment.')).map((e) => e.type.replace('shipping.shipment.', ''));
const update = (id: string, status: ShipmentStatus, identity: Identity | null = acmeAdmin) => shipping.services.fulfilment.updateStatus(shipping.as(identity), id, status);

/** A confirmed order's shipment, moved on to `status` by an admin. */
async function shipmentAt(status: ShipmentStatus): Promise<{ orderId: string; id: string }> {
  const { payload } = await confirmed();
  const [shipment] = await shipmentsOf(payload.orderId);
  const path: Record<ShipmentStatus, ShipmentStatus[]> = { PENDING: [], SHIPPED: ['SHIPPED'], IN_TRANSIT: ['SHIPPED', 'IN_TRANSIT'], DELIVERED: ['SHIPPED', 'IN_TRANSIT', 'DELIVERED'], CANCELLED: [] };
  for (const step of path[status]) await update(shipment!.id, step);
  if (status === 'CANCELLED') await cancelled(payload.orderId);
  return { orderId: payload.orderId, id: shipment!.id };
}

describe('FulfilmentService.createFor (orders.order.confirmed)', () => {
  it('gives a confirmed order one PENDING shipment with a carrier and a tracking number, and tells who waits for it', async () => {
    const { payload } = await confirmed();
    const [shipment] = await shipmentsOf(payload.orderId);
    expect(shipment).toMatchObject({ status: 'PENDING', shippedAt: null, deliveredAt: null });
    expect(['DHL', 'UPS', 'FedEx']).toContain(shipment!.carrier);
    expect(shipment!.trackingNumber).toMatch(/^TRK[0-9A-F]{16}$/);
    expect(await eventsOf('shipping.shipment.created', payload.orderId)).toEqual([
      { orderId: payload.orderId, shipmentId: shipment!.id, customerId: alice.userId, carrier: shipment!.carrier, trackingNumber: shipment!.trackingNumber },
    ]);
  });

  it('derives the label from the order: different orders get different tracking numbers', async () => {
    const tracking = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const { payload } = await confirmed();
      tracking.add((await shipmentsOf(payload.orderId))[0]!.trackingNumber);
    }
    expect(tracking.size).toBe(5);
  });

  it('makes one shipment however often the order is confirmed', async () => {
    const first = await confirmed();
    await shipping.redeliver(first);
    await confirmed(first.payload.orderId);
    expect(await shipmentsOf(first.payload.orderId)).toHaveLength(1);
    expect(await eventsOf('shipping.shipment.created', first.payload.orderId)).toHaveLength(1);
  });
});

describe('FulfilmentService.cancelFor (orders.order.cancelled)', () => {
  it('stops a shipment that has not left yet, once', async () => {
    const { orderId } = await shipmentAt('PENDING');
    const cancellation = await cancelled(orderId);
    await shipping.redeliver(cancellation);
    await cancelled(orderId);
    expect(await shipmentsOf(orderId)).toMatchObject([{ status: 'CANCELLED' }]);
    expect(await storyOf(orderId)).toEqual(['created', 'cancelled']);
  });

  it('leaves a shipment the carrier already has as it is', async () => {
    for (const status of ['SHIPPED', 'IN_TRANSIT', 'DELIVERED'] as const) {
      const { orderId } = await shipmentAt(status);
      await cancelled(orderId);
      expect(await shipmentsOf(orderId), status).toMatchObject([{ status }]);
      expect(await eventsOf('shipping.shipment.cancelled', orderId)).toEqual([]);
    }
  });

  it('does nothing for an order that never got a shipment', async () => {
    const orderId = randomUUID();
    await cancelled(orderId);
    expect(await shipmentsOf(orderId)).toEqual([]);
    expect(await storyOf(orderId)).toEqual([]);
  });
});

describe('FulfilmentService.updateStatus', () => {
  it('records the carrier moving a shipment forward, stamping pickup and delivery, with one event per move for orders', async () => {
    const { orderId, id } = await shipmentAt('PENDING');
    expect(await update(id, 'SHIPPED')).toMatchObject({ status: 'SHIPPED', shippedAt: expect.any(Date), deliveredAt: null });
    expect(await update(id, 'IN_TRANSIT')).toMatchObject({ status: 'IN_TRANSIT' });
    expect(await update(id, 'DELIVERED')).toMatchObject({ status: 'DELIVERED', deliveredAt: expect.any(Date) });
    expect(await storyOf(orderId)).toEqual(['created', 'shipped', 'in_transit', 'delivered']);
    const [shipped] = await eventsOf('shipping.shipment.shipped', orderId);
    expect(shipped).toEqual({ orderId, shipmentId: id, customerId: alice.userId });
  });

  it('lets a shipment be delivered straight from SHIPPED', async () => {
    const { orderId, id } = await shipmentAt('SHIPPED');
    expect(await update(id, 'DELIVERED')).toMatchObject({ status: 'DELIVERED' });
    expect(await storyOf(orderId)).toEqual(['created', 'shipped', 'delivered']);
  });

  it('answers a move to where the shipment already is with the shipment, and no event', async () => {
    const { orderId, id } = await shipmentAt('SHIPPED');
    expect(await update(id, 'SHIPPED')).toMatchObject({ id, status: 'SHIPPED' });
    expect(await storyOf(orderId)).toEqual(['created', 'shipped']);
  });

  it('refuses to move backwards or skip the pickup with INVALID_TRANSITION, and changes nothing', async () => {
    const cases: [ShipmentStatus, ShipmentStatus][] = [
      ['PENDING', 'IN_TRANSIT'], ['PENDING', 'DELIVERED'], ['IN_TRANSIT', 'SHIPPED'], ['DELIVERED', 'IN_TRANSIT'], ['SHIPPED', 'PENDING'], ['CANCELLED', 'SHIPPED'],
    ];
    for (const [from, to] of cases) {
      const { orderId, id } = await shipmentAt(from);
      const story = await storyOf(orderId);
      expect(await refusalOf(update(id, to)), `${from} → ${to}`).toMatchObject({ code: 'INVALID_TRANSITION', from, to, field: 'status' });
      expect(await shipmentsOf(orderId)).toMatchObject([{ status: from }]);
      expect(await storyOf(orderId)).toEqual(story);
    }
  });

  it('refuses to cancel a shipment by hand: a shipment stops only with its order, which the order would not follow', async () => {
    const { orderId, id } = await shipmentAt('PENDING');
    expect(await refusalOf(update(id, 'CANCELLED'))).toMatchObject({
      code: 'INVALID_TRANSITION', from: 'PENDING', to: 'CANCELLED', field: 'status', message: 'A shipment is cancelled by cancelling its order.',
    });
    expect(await shipmentsOf(orderId)).toMatchObject([{ status: 'PENDING' }]);
    expect(await storyOf(orderId)).toEqual(['created']);
  });

  it("lets only admins of the shipment's tenant move it", async () => {
    const { orderId, id } = await shipmentAt('PENDING');
    expect(await refusalOf(update(id, 'SHIPPED', alice))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusalOf(update(id, 'SHIPPED', null))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await refusalOf(update(id, 'SHIPPED', globexAdmin))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await shipmentsOf(orderId)).toMatchObject([{ status: 'PENDING' }]);
    expect(await storyOf(orderId)).toEqual(['created']);
  });

  it('refuses an id that is no id as bad input, and an unknown one as NOT_FOUND', async () => {
    expect(await refusalOf(update('shipment-1', 'SHIPPED'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await refusalOf(update(randomUUID(), 'SHIPPED'))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('ShipmentQueryService', () => {
  const demoOrder = ACME.orders[0]!;
  const demoShipmentId = demoId(ACME.slug, 'shipment', demoOrder.id);

  it('shows a customer the shipment of their own order, by its id or by the order', async () => {
    expect(await shipping.services.shipments.byId(shipping.as(alice), demoShipmentId.toUpperCase())).toMatchObject({ id: demoShipmentId, orderId: demoOrder.id });
    expect(await shipping.services.shipments.ofOrder(shipping.as(alice), demoOrder.id)).toMatchObject({ id: demoShipmentId });
  });

  it("shows an admin every shipment of their tenant and none of another tenant's", async () => {
    expect(await shipping.services.shipments.byId(shipping.as(acmeAdmin), demoShipmentId)).toMatchObject({ id: demoShipmentId });
    expect(await shipping.services.shipments.byId(shipping.as(globexAdmin), demoShipmentId)).toBeNull();
    expect(await shipping.services.shipments.ofOrder(shipping.as(globexAdmin), demoOrder.id)).toBeNull();
  });

  it('shows another customer of the same shop nothing of the shipment, and nothing for a string that is no id', async () => {
    const carol: Identity = { userId: randomUUID(), tenantId: ACME.id, role: 'CUSTOMER' };
    expect(await shipping.services.shipments.byId(shipping.as(carol), demoShipmentId)).toBeNull();
    expect(await shipping.services.shipments.ofOrder(shipping.as(carol), demoOrder.id)).toBeNull();
    expect(await shipping.services.shipments.byId(shipping.as(alice), 'shipment-1')).toBeNull();
  });
});
