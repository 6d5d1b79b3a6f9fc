import type { SubgraphDefinition } from '../../kernel/src/subgraph.js';
import { createPaymentsContext, type PaymentsContext } from './context.js';
import { createPaymentsDb, type PaymentsDb, type PaymentsTx } from './db.js';
import { resolvers } from './resolvers/index.js';

/** The payments subgraph: the charge of each order. */
export function paymentsSubgraph(): SubgraphDefinition<PaymentsDb, PaymentsTx, PaymentsContext> {
  return { name: 'payments', createDb: createPaymentsDb, resolvers, createContext: createPaymentsContext };
}
