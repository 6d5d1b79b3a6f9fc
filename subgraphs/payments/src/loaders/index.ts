import { loaderById } from '#platform/subgraph';
import type { Payment } from '../generated/prisma/client.js';
import type { PaymentRepository } from '../repositories/payment.repository.js';

/** Per-request loaders, made with every context. */
export function createPaymentsLoaders(repos: { payments: PaymentRepository }) {
  return {
    paymentById: loaderById<Payment>((ids) => repos.payments.findByIds(ids), (p) => p.id),
    paymentByOrderId: loaderById<Payment>((ids) => repos.payments.findByOrderIds(ids), (p) => p.orderId),
  };
}

export type PaymentsLoaders = ReturnType<typeof createPaymentsLoaders>;
