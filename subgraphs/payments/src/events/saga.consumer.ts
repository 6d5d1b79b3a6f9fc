import { onOwnTransactions, type EventConsumer } from '#platform/subgraph';
import { InventoryEvents, OrderEvents } from '#contracts';
import type { PaymentsData } from '../context.js';
import type { PaymentsServices } from '../services/index.js';

/** Everything payments reacts to, in one durable consumer so each order's events stay in order. */
export function paymentsConsumer({ charges }: PaymentsServices): EventConsumer<PaymentsData> {
  return {
    consumer: 'payments',
    routes: [
      onOwnTransactions(InventoryEvents.reserved, (ctx, event) => charges.chargeReserved(ctx, event)),
      onOwnTransactions(OrderEvents.cancelled, (ctx, event) => charges.cancelled(ctx, event)),
    ],
  };
}
