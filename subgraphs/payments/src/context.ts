import type { DataAccess, RequestContext, TransactionContext } from '#platform/subgraph';
import type { PaymentsClient } from './db.js';
import { createPaymentsLoaders, type PaymentsLoaders } from './loaders/index.js';
import { PaymentRepository } from './repositories/payment.repository.js';

export interface PaymentsRepositories {
  payments: PaymentRepository;
}

export interface PaymentsData {
  repos: PaymentsRepositories;
  loaders: PaymentsLoaders;
  directory: Record<string, never>;
}

/** How payments reaches its data: repositories bound to the context's tenant, and loaders over them. */
export const paymentsData: DataAccess<PaymentsClient, PaymentsData> = {
  repositories: (db, tenantId) => ({ payments: new PaymentRepository(db, tenantId) }),
  loaders: createPaymentsLoaders,
};

/** What every payments service method takes first. */
export type PaymentsContext = RequestContext<PaymentsData>;
export type PaymentsTransaction = TransactionContext<PaymentsData>;
