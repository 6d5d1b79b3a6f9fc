import { eventConsumer, onOwnTransactions } from '#platform/events';
import { InventoryEvents, OrderEvents } from '#contracts';
import type { PaymentsRuntime } from '../context.js';
import type { PaymentsTx } from '../db.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { PaymentService } from '../services/payment.service.js';

/** Everything payments reacts to, in one durable consumer so each order's events stay in order. */
export function paymentsConsumer(runtime: PaymentsRuntime, provider: PaymentProvider) {
  const payments = new PaymentService(runtime, provider);
  return eventConsumer<PaymentsTx>(runtime, 'payments', [
    onOwnTransactions(InventoryEvents.reserved, (event, consumer) => payments.chargeReserved(event, consumer)),
    onOwnTransactions(OrderEvents.cancelled, (event, consumer) => payments.cancelled(event, consumer)),
  ]);
}
