import { createHash } from 'node:crypto';
import { requireRole } from '#platform/auth';
import { NotFoundError, requireId } from '#platform/errors';
import { ShipmentEvents } from '#contracts';
import { createEvent, type EventDefinition, type EventEnvelope } from '#platform/events';
import type { ShippingContext, ShippingTransaction } from '../context.js';
import { ShipmentStateError } from '../errors.js';
import type { Shipment, ShipmentStatus } from '../generated/prisma/client.js';
import { canBeSetByHand, statusesBefore } from './shipment-status.js';

const CARRIERS = ['DHL', 'UPS', 'FedEx'] as const;
const EVENT_OF: Partial<Record<ShipmentStatus, EventDefinition<{ orderId: string; shipmentId: string; customerId: string }>>> = {
  SHIPPED: ShipmentEvents.shipped,
  IN_TRANSIT: ShipmentEvents.inTransit,
  DELIVERED: ShipmentEvents.delivered,
  CANCELLED: ShipmentEvents.cancelled,
};

/** The carrier and tracking number of an order: derived from its id, so a retry picks the same. */
function label(orderId: string): { carrier: string; trackingNumber: string } {
  const digest = createHash('sha256').update(orderId).digest();
  return { carrier: CARRIERS[digest[0]! % CARRIERS.length]!, trackingNumber: `TRK${digest.subarray(1, 9).toString('hex').toUpperCase()}` };
}

/** Shipping's part of the checkout saga, and the carrier's progress as admins record it. */
export class FulfilmentService {
  /** A confirmed order gets its shipment (inside the consumer's transaction). */
  async createFor(tx: ShippingTransaction, event: EventEnvelope<{ orderId: string; customerId: string }>): Promise<void> {
    const { shipments } = tx.repos;
    const { orderId, customerId } = event.payload;
    const shipment = await shipments.createIfAbsent({ orderId, customerId, ...label(orderId) });
    if (!shipment) return;
    await tx.emit(createEvent(ShipmentEvents.created, {
      tenantId: tx.tenantId, aggregateId: orderId, traceparent: event.traceparent,
      payload: { orderId, shipmentId: shipment.id, customerId, carrier: shipment.carrier, trackingNumber: shipment.trackingNumber },
    }));
  }

  /** A cancelled order stops its shipment if it has not left yet. */
  async cancelFor(tx: ShippingTransaction, event: EventEnvelope<{ orderId: string }>): Promise<void> {
    const { shipments } = tx.repos;
    const shipment = await shipments.findByOrderId(event.payload.orderId);
    if (!shipment) return;
    const cancelled = await shipments.move(shipment.id, statusesBefore('CANCELLED'), 'CANCELLED');
    if (cancelled) await this.announce(tx, cancelled, 'CANCELLED', event.traceparent);
  }

  async updateStatus(ctx: ShippingContext, id: string, status: ShipmentStatus): Promise<Shipment> {
    requireRole(ctx.caller, 'ADMIN');
    const shipmentId = requireId(id, 'id');
    return ctx.transaction(async (tx) => {
      const { shipments } = tx.repos;
      const [current] = await shipments.findByIds([shipmentId]);
      if (!current) throw new NotFoundError('Shipment', shipmentId);
      if (current.status === status) return current;
      if (!canBeSetByHand(status)) throw new ShipmentStateError(current.status, status, 'A shipment is cancelled by cancelling its order.');
      const moved = await shipments.move(shipmentId, statusesBefore(status), status);
      if (!moved) throw new ShipmentStateError(current.status, status);
      await this.announce(tx, moved, status, null);
      return moved;
    });
  }

  private async announce(tx: ShippingTransaction, shipment: Shipment, status: ShipmentStatus, traceparent: string | null): Promise<void> {
    const definition = EVENT_OF[status];
    if (!definition) return;
    await tx.emit(createEvent(definition, {
      tenantId: shipment.tenantId, aggregateId: shipment.orderId, traceparent,
      payload: { orderId: shipment.orderId, shipmentId: shipment.id, customerId: shipment.customerId },
    }));
  }
}
