import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../harness/graphql-client.js';
import { contract } from '../harness/operations.js';
import { ProcessStack, waitFor } from '../harness/process-stack.js';

// A refund when payments is killed (kill -9) after deciding it and before the provider answered, on
// real processes: the six subgraphs and a gateway on the machine's PostgreSQL (databases of their
// own) and a nats-server of this file's own. Databases <FAULT_DB_PREFIX>refund_<subgraph>, ports
// FAULT_PORT_BASE+50.. (clear of subgraph-faults.test.ts, which may share those settings).

// a provider call takes 1.5 s: long enough to kill payments while it waits for its refund
const PROVIDER_LATENCY_MS = 1_500;
let stack: ProcessStack;
let client: GraphQLClient;

beforeAll(async () => {
  stack = await ProcessStack.start({
    dbPrefix: `${process.env.FAULT_DB_PREFIX ?? 'sc_fault_'}refund_`,
    portBase: Number(process.env.FAULT_PORT_BASE ?? 22100) + 50,
    env: { PAYMENT_LATENCY_MS: String(PROVIDER_LATENCY_MS) },
  });
  client = new GraphQLClient(stack.gatewayUrl(0));
}, 400_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

interface PaymentRow {
  id: string;
  status: string;
  providerReference: string | null;
  refundRequestedAt: Date | null;
}
const paymentOf = async (orderId: string) =>
  (await stack.sql<PaymentRow>('payments', `SELECT "id", "status"::text AS "status", "providerReference", "refundRequestedAt" FROM "payments"."Payment" WHERE "orderId" = $1`, [orderId]))[0];
const storefront = (operationName: string, variables: Record<string, unknown>) => client.as<any>('alice@acme.test', contract.storefront, variables, operationName);
const failureOutput = () => `\n--- last process output ---\n${stack.log.slice(-40).join('\n')}`;

describe('when payments is killed (kill -9) between deciding a refund and the provider answering', () => {
  it('keeps the refund owed and makes it once after restart, when JetStream redelivers the request', async () => {
    const { products } = await storefront('Catalog', { first: 1 });
    const { placeOrder } = await storefront('PlaceOrder', { input: { idempotencyKey: randomUUID(), items: [{ productId: products.edges[0].node.id, quantity: 1 }] } });
    const orderId: string = placeOrder.id;
    await waitFor('the order to be confirmed', async () => (await storefront('Order', { id: orderId })).order.status === 'CONFIRMED', 60_000);

    const { cancelOrder } = await storefront('CancelOrder', { id: orderId });
    expect(cancelOrder.status).toBe('CANCELLED');
    // the decision commits with the refund request; the refund itself waits on the provider: kill there
    const owed = await waitFor('the refund to be recorded', async () => {
      const payment = await paymentOf(orderId);
      return payment?.refundRequestedAt ? payment : undefined;
    }, 30_000, 20);
    stack.signal('payments', 'SIGKILL');
    expect(owed.status, failureOutput()).toBe('CAPTURED');
    await waitFor('payments to be gone', async () => !stack.subgraphs.payments.running, 10_000);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'CAPTURED', providerReference: owed.providerReference });

    await stack.restartSubgraph('payments');
    // the request was delivered and never acknowledged: JetStream hands it over again after its ack wait
    const refunded = await waitFor('the payment to be refunded', async () => {
      const payment = await paymentOf(orderId);
      return payment?.status === 'REFUNDED' ? payment : undefined;
    }, 90_000, 250).catch((error: Error) => {
      throw new Error(`${error.message}${failureOutput()}`);
    });
    expect(refunded.providerReference).toMatch(/^sim_re_/);
    const events = await stack.sql<{ type: string; n: number }>(
      'payments',
      `SELECT "type", count(*)::int AS "n" FROM "payments"."OutboxEvent" WHERE "aggregateId" = $1 AND "type" LIKE 'payments.payment.refund%' GROUP BY "type" ORDER BY "type"`,
      [orderId],
    );
    expect(events).toEqual([{ type: 'payments.payment.refund_requested', n: 1 }, { type: 'payments.payment.refunded', n: 1 }]);
    await waitFor('the order to show its payment refunded', async () => (await storefront('Order', { id: orderId })).order.payment?.status === 'REFUNDED', 30_000);
  }, 240_000);
});
