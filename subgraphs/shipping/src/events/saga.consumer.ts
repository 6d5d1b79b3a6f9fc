import { eventConsumer, on } from '#platform/events';
import { OrderEvents } from '#contracts';
import type { ShippingRuntime } from '../context.js';
import type { ShippingTx } from '../db.js';
import { FulfilmentService } from '../services/fulfilment.service.js';

/** Everything shipping reacts to, in one durable consumer so each order's events stay in order. */
export function shippingConsumer(runtime: ShippingRuntime) {
  return eventConsumer<ShippingTx>(runtime, 'shipping', [
    on(OrderEvents.confirmed, (tx, event, events) => FulfilmentService.createFor(tx, events, event)),
    on(OrderEvents.cancelled, (tx, event, events) => FulfilmentService.cancelFor(tx, events, event)),
  ]);
}
