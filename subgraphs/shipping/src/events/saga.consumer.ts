import { on, type EventConsumer } from '#platform/subgraph';
import { OrderEvents } from '#contracts';
import type { ShippingData } from '../context.js';
import type { ShippingServices } from '../services/index.js';

/** Everything shipping reacts to, in one durable consumer so each order's events stay in order. */
export function shippingConsumer({ fulfilment }: ShippingServices): EventConsumer<ShippingData> {
  return {
    consumer: 'shipping',
    routes: [
      on(OrderEvents.confirmed, (tx, event) => fulfilment.createFor(tx, event)),
      on(OrderEvents.cancelled, (tx, event) => fulfilment.cancelFor(tx, event)),
    ],
  };
}
