import { onOwnTransactions, type EventConsumer } from '#platform/subgraph';
import { InventoryEvents, OrderEvents, PaymentEvents } from '#contracts';
import type { PaymentsData } from '../context.js';
import type { PaymentsServices } from '../services/index.js';

/** Everything payments reacts to, its own refund_requested too, in one durable consumer so each order's events stay in order. */
export function paymentsConsumer({ charges }: PaymentsServices): EventConsumer<PaymentsData> {
  return {
    consumer: 'payments',
    routes: [
      onOwnTransactions(InventoryEvents.reserved, (ctx, event) => charges.chargeReserved(ctx, event)),
      onOwnTransactions(OrderEvents.cancelled, (ctx, event) => charges.cancelled(ctx, event)),
      // its own event: the refund decided in the transaction that wrote it, made at the provider here
      onOwnTransactions(PaymentEvents.refundRequested, (ctx, event) => charges.refund(ctx, event)),
    ],
  };
}
