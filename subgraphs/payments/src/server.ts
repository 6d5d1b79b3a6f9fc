import { subgraphFiles } from '#contracts';
import type { SubgraphDefinition } from '#platform/subgraph';
import type { PaymentsConfig } from './config.js';
import { createPaymentsContext, type PaymentsContext } from './context.js';
import { createPaymentsDb, type PaymentsDb, type PaymentsTx } from './db.js';
import { paymentsConsumer } from './events/saga.consumer.js';
import { SimulatedPaymentProvider } from './providers/simulated-payment-provider.js';
import { resolvers } from './resolvers/index.js';

/** The payments subgraph: the charge of each order, through a payment-provider port. */
export function paymentsSubgraph(config: PaymentsConfig): SubgraphDefinition<PaymentsDb, PaymentsTx, PaymentsContext> {
  const provider = new SimulatedPaymentProvider(config.provider);
  return {
    name: 'payments',
    ...subgraphFiles('payments'),
    createDb: createPaymentsDb,
    resolvers,
    createContext: createPaymentsContext,
    consumers: (runtime) => [paymentsConsumer(runtime, provider)],
  };
}
