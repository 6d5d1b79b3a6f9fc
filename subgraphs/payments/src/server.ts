import type { SubgraphDefinition } from '#platform/subgraph';
import { subgraphFiles } from '#contracts';
import type { PaymentsConfig } from './config.js';
import { paymentsData, type PaymentsData } from './context.js';
import { createPaymentsDb, type PaymentsDb, type PaymentsTx } from './db.js';
import { paymentsConsumer } from './events/saga.consumer.js';
import { SimulatedPaymentProvider } from './providers/simulated-payment-provider.js';
import { resolvers } from './resolvers/index.js';
import { createPaymentsServices, type PaymentsServices } from './services/index.js';

/** The payments subgraph: the charge of each order, through a payment-provider port. */
export function paymentsSubgraph(config: PaymentsConfig): SubgraphDefinition<PaymentsDb, PaymentsTx, PaymentsData, PaymentsServices> {
  const provider = new SimulatedPaymentProvider(config.provider);
  return {
    name: 'payments',
    ...subgraphFiles('payments'),
    createDb: createPaymentsDb,
    data: paymentsData,
    services: () => createPaymentsServices(provider),
    resolvers,
    consumers: (services) => [paymentsConsumer(services)],
  };
}
