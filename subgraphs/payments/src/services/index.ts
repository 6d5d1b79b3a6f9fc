import type { PaymentProvider } from '../providers/payment-provider.js';
import { PaymentQueryService } from './payment-query.service.js';
import { PaymentService } from './payment.service.js';

/** Payments' services, made once per process; every method takes the request context first. */
export function createPaymentsServices(provider: PaymentProvider) {
  return { payments: new PaymentQueryService(), charges: new PaymentService(provider) };
}

export type PaymentsServices = ReturnType<typeof createPaymentsServices>;
