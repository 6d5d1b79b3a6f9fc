import { InventoryEvents, OrderEvents, PaymentEvents, ShipmentEvents } from '#contracts';
import type { EventEnvelope } from '#platform/events';

/**
 * What a live subscription takes from a domain event: which entity changed, by key only, and who
 * owns it when the event says. Everything else is fetched from the subgraphs with the subscriber's
 * identity, so an event never decides what a client sees.
 */
export interface EntityChange {
  tenantId: string;
  typename: string;
  /** The entity's `id` key, lower-cased (ids are UUIDs; subgraphs compare them lower-cased). */
  id: string;
  /** The customer an order belongs to, when this event or an earlier one of the same order said. */
  ownerId: string | undefined;
  eventId: string;
  occurredAt: string;
  /** When the event's transaction committed, when the relay that published it knew (see EventEnvelope). */
  committedAt: string | undefined;
  /** When this gateway received the event (ms since the epoch). */
  receivedAt: number;
}

/** Events that change an order as `orderUpdated` shows it: its status, its payment, its shipment. */
const ORDER_CHANGES = [
  OrderEvents.placed,
  OrderEvents.confirmed,
  OrderEvents.cancelled,
  OrderEvents.shipped,
  OrderEvents.delivered,
  PaymentEvents.captured,
  PaymentEvents.failed,
  PaymentEvents.refunded,
  ShipmentEvents.created,
  ShipmentEvents.shipped,
  ShipmentEvents.inTransit,
  ShipmentEvents.delivered,
  ShipmentEvents.cancelled,
].map((definition) => definition.type);

/** Events that change stock levels; the stock record's id is its product's id. */
const STOCK_BY_PRODUCT = [InventoryEvents.adjusted].map((definition) => definition.type);
const STOCK_BY_LINES = [InventoryEvents.reserved, InventoryEvents.released, InventoryEvents.committed].map((definition) => definition.type);

export const WATCHED_EVENT_TYPES: readonly string[] = [...ORDER_CHANGES, ...STOCK_BY_PRODUCT, ...STOCK_BY_LINES];

const ORDER_TYPES = new Set(ORDER_CHANGES);
const PRODUCT_TYPES = new Set(STOCK_BY_PRODUCT);
const LINE_TYPES = new Set(STOCK_BY_LINES);

/** Orders whose owner this process remembers: payment events do not carry the customer. */
const OWNER_MEMORY = 50_000;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Maps events to entity changes and remembers each order's customer from the events that carry it
 * (order and shipment events), so a payment event can be routed to its customer's subscriptions
 * without a fetch for everybody.
 */
export class EntityChanges {
  private readonly owners = new Map<string, string>();

  of(event: EventEnvelope): EntityChange[] {
    const payload = (event.payload ?? {}) as Record<string, unknown>;
    const base = { tenantId: event.tenantId, eventId: event.id, occurredAt: event.occurredAt, committedAt: event.committedAt, receivedAt: Date.now() };
    if (ORDER_TYPES.has(event.type)) {
      const id = (text(payload.orderId) ?? event.aggregateId).toLowerCase();
      const stated = text(payload.customerId)?.toLowerCase();
      if (stated) this.rememberOwner(event.tenantId, id, stated);
      return [{ ...base, typename: 'Order', id, ownerId: stated ?? this.owners.get(`${event.tenantId}:${id}`) }];
    }
    if (PRODUCT_TYPES.has(event.type)) {
      const productId = text(payload.productId) ?? event.aggregateId;
      return [{ ...base, typename: 'Stock', id: productId.toLowerCase(), ownerId: undefined }];
    }
    if (LINE_TYPES.has(event.type)) {
      const lines = Array.isArray(payload.lines) ? (payload.lines as Array<Record<string, unknown>>) : [];
      const products = new Set(lines.map((line) => text(line?.productId)?.toLowerCase()).filter((id): id is string => id !== undefined));
      return [...products].map((id) => ({ ...base, typename: 'Stock', id, ownerId: undefined }));
    }
    return [];
  }

  private rememberOwner(tenantId: string, orderId: string, customerId: string): void {
    const key = `${tenantId}:${orderId}`;
    this.owners.delete(key);
    this.owners.set(key, customerId);
    if (this.owners.size > OWNER_MEMORY) this.owners.delete(this.owners.keys().next().value!);
  }
}
