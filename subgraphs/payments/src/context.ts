import { type RequestScope, type SubgraphRuntime, tenantScope } from '#platform/subgraph';
import type { PaymentsDb, PaymentsTx } from './db.js';
import { createPaymentsLoaders } from './loaders/index.js';
import { PaymentRepository } from './repositories/payment.repository.js';
import { PaymentQueryService } from './services/payment-query.service.js';

export type PaymentsRuntime = SubgraphRuntime<PaymentsDb, PaymentsTx>;

function makeScope(scope: RequestScope, runtime: PaymentsRuntime) {
  return tenantScope(scope.identity, (caller) => {
    const payments = new PaymentRepository(runtime.db, caller.tenantId);
    return { payments, loaders: createPaymentsLoaders({ payments }) };
  });
}

export type PaymentsContextScope = ReturnType<typeof makeScope>;

export function createPaymentsContext(scope: RequestScope, runtime: PaymentsRuntime) {
  return { ...scope, payments: new PaymentQueryService(makeScope(scope, runtime)) };
}

export type PaymentsContext = ReturnType<typeof createPaymentsContext>;
