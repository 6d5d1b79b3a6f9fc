import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryEvents, OrderEvents, PaymentEvents, type Money } from '#contracts';
import { createEvent, type EventEnvelope } from '#platform/events';
import type { Identity } from '#platform/auth';
import { demoId } from '../../../prisma/demo-data.js';
import type { PaymentsData } from '../../../subgraphs/payments/src/context.js';
import type { PaymentsServices } from '../../../subgraphs/payments/src/services/index.js';
import { refundKey } from '../../../subgraphs/payments/src/services/payment.service.js';
import type { SimulatedPaymentProvider } from '../../../subgraphs/payments/src/providers/simulated-payment-provider.js';
import type { PaymentProvider } from '../../../subgraphs/payments/src/providers/payment-provider.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';

let payments: ServiceHarness<PaymentsData, PaymentsServices>;
/** A second payments whose provider takes a whole second a call: a cancellation surely lands while it charges. */
let slow: ServiceHarness<PaymentsData, PaymentsServices>;
/** A third payments whose provider answers at once, for what must happen within one turn. */
let instant: ServiceHarness<PaymentsData, PaymentsServices>;
const alice = identityOf(ACME, 'CUSTOMER');
const acmeAdmin = identityOf(ACME, 'ADMIN');
const bob = identityOf(GLOBEX, 'CUSTOMER');
const globexAdmin = identityOf(GLOBEX, 'ADMIN');

// The simulated provider: acme (no limit of its own) declines above 500.00; globex above 10.00.
// Each provider call takes 100 ms, long enough for a cancellation to arrive while a charge is under way.
const LATENCY_MS = 100;

beforeAll(async () => {
  payments = await serviceHarness<PaymentsData, PaymentsServices>('payments', {
    PAYMENT_DECLINE_ABOVE: '50000',
    PAYMENT_TENANT_LIMITS: JSON.stringify({ [GLOBEX.id]: 1000 }),
    PAYMENT_LATENCY_MS: String(LATENCY_MS),
  });
  slow = await serviceHarness<PaymentsData, PaymentsServices>('payments', { PAYMENT_LATENCY_MS: '1000' });
  instant = await serviceHarness<PaymentsData, PaymentsServices>('payments', { PAYMENT_DECLINE_ABOVE: '50000', PAYMENT_LATENCY_MS: '0' });
});

afterAll(async () => {
  await payments?.close();
  await slow?.close();
  await instant?.close();
});

const usd = (amount: number): Money => ({ amount, currency: 'USD' });

/** Inventory held an order's stock: payments is asked to charge its total. */
const reserved = (orderId: string, total: Money, customer: Identity = alice, on = payments) =>
  on.deliver(InventoryEvents.reserved, {
    tenantId: customer.tenantId, aggregateId: orderId,
    payload: { orderId, customerId: customer.userId, lines: [{ productId: randomUUID(), quantity: 1 }], total },
  });
const cancelled = (orderId: string, total: Money, requested = true, on = payments) =>
  on.deliver(OrderEvents.cancelled, {
    tenantId: ACME.id, aggregateId: orderId,
    payload: { orderId, customerId: alice.userId, reason: requested ? 'Cancelled by the customer' : "Only 1 of 'Blue Mug' left", requested, total },
  });

interface PaymentRow {
  id: string;
  status: string;
  amount: number;
  currency: string;
  providerReference: string | null;
  failureReason: string | null;
  refundRequestedAt: Date | null;
  chargeRequestedAt: Date | null;
}
const paymentsOf = (orderId: string, on = payments) =>
  on.sql<PaymentRow>(`SELECT "id", "status", "amount", "currency", "providerReference", "failureReason", "refundRequestedAt", "chargeRequestedAt" FROM "payments"."Payment" WHERE "orderId" = $1`, orderId);
const eventsOf = async (type: string, orderId: string, on = payments) => (await on.outbox(type)).filter((e) => e.aggregateId === orderId).map((e) => e.payload);
/** The refund requests payments wrote to its own outbox for an order, as its relay would publish them. */
const refundRequestsOf = (orderId: string, on = payments) =>
  on.sql<EventEnvelope>(
    `SELECT "id", "type", "version", "tenantId", to_char("occurredAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
            "aggregateType", "aggregateId", "traceparent", "payload"
       FROM "payments"."OutboxEvent" WHERE "type" = $1 AND "aggregateId" = $2 ORDER BY "seq"`,
    PaymentEvents.refundRequested.type, orderId,
  );
/** What the provider did for a payment: its charge and its refund, by their idempotency keys. */
const atProvider = (paymentId: string, on = payments) => {
  const { ledger } = on.services.charges.provider as SimulatedPaymentProvider;
  return { charge: ledger.get(paymentId), refund: ledger.get(refundKey(paymentId)) };
};

describe('PaymentService.chargeReserved (inventory.stock.reserved)', () => {
  it('charges a reserved order its total and captures it, telling orders', async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(4999));
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'CAPTURED', amount: 4999, currency: 'USD', failureReason: null });
    expect(payment!.providerReference).toMatch(/^sim_ch_/);
    expect(await eventsOf('payments.payment.captured', orderId)).toEqual([{ orderId, customerId: alice.userId, paymentId: payment!.id, amount: usd(4999) }]);
  });

  it("declines a charge over the shop's limit with a reason a person can read, telling orders", async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(60_000));
    const reason = "Payment declined: 600.00 USD is over this shop's limit of 500.00 USD";
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'FAILED', failureReason: reason, providerReference: null });
    expect(await eventsOf('payments.payment.failed', orderId)).toEqual([{ orderId, customerId: alice.userId, paymentId: payment!.id, reason }]);
    expect(await eventsOf('payments.payment.captured', orderId)).toEqual([]);
  });

  it("holds a tenant to its own limit rather than the default one", async () => {
    const orderId = randomUUID();
    await reserved(orderId, { amount: 1500, currency: 'EUR' }, bob);
    expect(await payments.services.payments.ofOrder(payments.as(bob), orderId)).toMatchObject({
      status: 'FAILED', failureReason: "Payment declined: 15.00 EUR is over this shop's limit of 10.00 EUR",
    });
  });

  it('never charges twice: not for the same event redelivered, nor for a second reservation of the order', async () => {
    const orderId = randomUUID();
    const event = await reserved(orderId, usd(1200));
    await payments.redeliver(event);
    await reserved(orderId, usd(1200));
    const rows = await paymentsOf(orderId);
    expect(rows.map((p) => p.status)).toEqual(['CAPTURED']);
    expect(await eventsOf('payments.payment.captured', orderId)).toHaveLength(1);
  });

  it('charges reservations handed over together in two transactions in all: the payments opened before the provider calls, the outcomes after', async () => {
    const orderIds = Array.from({ length: 6 }, (): string => randomUUID());
    const events = orderIds.map((orderId) =>
      createEvent(InventoryEvents.reserved, { tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, lines: [{ productId: randomUUID(), quantity: 1 }], total: usd(700) } }),
    );
    // a provider that answers at once: the six charges' outcomes come back in the turn their payments
    // were opened in (with a latency, the answers arrive on timers, which may fire in separate turns,
    // and the outcomes then take more than one batch)
    const consumer = instant.subgraph.consumers.find((c) => c.types.includes(InventoryEvents.reserved.type))!;
    const { db } = instant.subgraph.runtime;
    const opened: string[] = [];
    const transaction = db.$transaction.bind(db);
    // counts the transactions as the platform opens them, each still run by the real client
    db.$transaction = ((fn: never, options: never) => (opened.push('tx'), transaction(fn, options))) as typeof db.$transaction;
    try {
      const before = instant.subgraph.runtime.statements.total;
      await Promise.all(events.map((event) => consumer.handler(event)));
      const used = instant.subgraph.runtime.statements.total - before;
      expect(opened).toHaveLength(2);
      // per charge its insert and its move; the claims in one statement and the captured events in one
      expect(used).toBe(6 * 2 + 2);
    } finally {
      db.$transaction = transaction;
    }
    for (const orderId of orderIds) {
      expect((await paymentsOf(orderId, instant)).map((p) => p.status)).toEqual(['CAPTURED']);
      expect(await eventsOf('payments.payment.captured', orderId, instant)).toHaveLength(1);
    }
  });
});

describe('PaymentService.cancelled (orders.order.cancelled)', () => {
  it('closes the payment of an order cancelled before its charge as not charged, and never charges it when its reservation arrives later', async () => {
    const orderId = randomUUID();
    await cancelled(orderId, usd(2500));
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'FAILED', failureReason: 'Not charged: the order was cancelled first', providerReference: null }]);
    await reserved(orderId, usd(2500));
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'FAILED', providerReference: null }]);
    expect(await eventsOf('payments.payment.captured', orderId)).toEqual([]);
    expect(await eventsOf('payments.payment.failed', orderId)).toEqual([]);
  });

  it('opens no payment for an order the saga cancelled before it was ever to be charged', async () => {
    const orderId = randomUUID();
    await cancelled(orderId, usd(2500), false);
    expect(await paymentsOf(orderId)).toEqual([]);
  });

  it('records the refund of a captured payment when its order is cancelled, with one request however often the cancellation comes, and refunds it once', async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(3100));
    const cancellation = await cancelled(orderId, usd(3100));
    await payments.redeliver(cancellation);
    await cancelled(orderId, usd(3100));
    // the decision: the refund owed, recorded with its request in the cancellation's transaction
    const [owed] = await paymentsOf(orderId);
    expect(owed).toMatchObject({ status: 'CAPTURED' });
    expect(owed!.refundRequestedAt).toBeInstanceOf(Date);
    const requests = await refundRequestsOf(orderId);
    expect(requests.map((r) => r.payload)).toEqual([{ orderId, customerId: alice.userId, paymentId: owed!.id, amount: usd(3100) }]);
    expect(atProvider(owed!.id).refund).toBeUndefined();
    // the refund, as payments' own consumer makes it, however often the request is delivered
    await payments.redeliver(requests[0]!);
    await payments.redeliver(requests[0]!);
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED' });
    expect(payment!.providerReference).toMatch(/^sim_re_/);
    expect(await eventsOf('payments.payment.refunded', orderId)).toEqual([{ orderId, customerId: alice.userId, paymentId: payment!.id, amount: usd(3100) }]);
    expect(atProvider(payment!.id).refund).toMatchObject({ operation: 'refund', amount: 3100, currency: 'USD', calls: 1 });
  });

  it('leaves a declined payment as it was when its order is cancelled: there is nothing to refund', async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(70_000));
    await cancelled(orderId, usd(70_000), false);
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'FAILED', failureReason: expect.stringMatching(/^Payment declined: /) }]);
    expect(await eventsOf('payments.payment.refunded', orderId)).toEqual([]);
  });

  it('keeps no money of an order cancelled while the provider is charging it', async () => {
    const orderId = randomUUID();
    const charging = reserved(orderId, usd(1800));
    // The payment row is written before the provider is called; the call then takes LATENCY_MS.
    while ((await paymentsOf(orderId)).length === 0) await sleep(5);
    const cancellation = createEvent(OrderEvents.cancelled, {
      tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, reason: 'Cancelled by the customer', requested: true, total: usd(1800) },
    });
    // Usually the cancellation closes the payment first and the charge that lands after it records
    // the refund owed; on a very slow machine the capture can win, the cancellation is refused, and
    // the bus's redelivery records it. Either way a refund is requested, and made.
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const refused = await payments.redeliver(cancellation).then(() => null, (error: Error) => error);
      if (!refused) break;
      expect(refused.message).toMatch(/changed while it was being cancelled/);
      expect(attempts).toBeLessThan(3);
    }
    await charging;
    const requests = await refundRequestsOf(orderId);
    expect(requests).toHaveLength(1);
    await payments.redeliver(requests[0]!);
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED' });
    const { charge, refund } = atProvider(payment!.id);
    expect(charge).toMatchObject({ operation: 'charge', amount: 1800, answer: { ok: true } });
    expect(refund).toMatchObject({ operation: 'refund', amount: 1800 });
    expect(await eventsOf('payments.payment.refunded', orderId)).toHaveLength(1);
  });
});

describe('PaymentService.refund (payments.payment.refund_requested)', () => {
  it('gives back a charge that lands after its order was cancelled, also when the process dies between that decision and the refund', async () => {
    const orderId = randomUUID();
    const charging = reserved(orderId, usd(2200), alice, slow);
    while ((await paymentsOf(orderId, slow)).length === 0) await sleep(5);
    // the provider takes a second: the cancellation closes the payment as not charged meanwhile
    await cancelled(orderId, usd(2200), true, slow);
    expect(await paymentsOf(orderId, slow)).toMatchObject([{ status: 'FAILED', failureReason: 'Not charged: the order was cancelled first' }]);
    await charging;
    // the charge landed: captured after all, the refund owed and requested, in the transaction that
    // claimed the reservation; the order is not told it was captured
    const [owed] = await paymentsOf(orderId, slow);
    expect(owed).toMatchObject({ status: 'CAPTURED', failureReason: null, providerReference: expect.stringMatching(/^sim_ch_/) });
    expect(owed!.refundRequestedAt).toBeInstanceOf(Date);
    expect(await refundRequestsOf(orderId, slow)).toHaveLength(1);
    expect(await eventsOf('payments.payment.captured', orderId, slow)).toEqual([]);
    // the process dies here: nothing has been given back yet
    expect(atProvider(owed!.id, slow).refund).toBeUndefined();
    // a new process on the same database: its relay publishes the request, its consumer refunds
    await slow.restart();
    const [payment] = await paymentsOf(orderId, slow);
    expect(payment).toMatchObject({ status: 'REFUNDED', providerReference: expect.stringMatching(/^sim_re_/) });
    expect(atProvider(owed!.id, slow).refund).toMatchObject({ operation: 'refund', amount: 2200, currency: 'USD', calls: 1 });
    expect(await eventsOf('payments.payment.refunded', orderId, slow)).toEqual([{ orderId, customerId: alice.userId, paymentId: owed!.id, amount: usd(2200) }]);
    const [published] = await slow.sql<{ publishedAt: Date | null }>(`SELECT "publishedAt" FROM "payments"."OutboxEvent" WHERE "type" = $1 AND "aggregateId" = $2`, PaymentEvents.refundRequested.type, orderId);
    expect(published!.publishedAt).toBeInstanceOf(Date);
  });

  it('refunds once when the process died after the provider refunded and before its commit, and changes nothing when the request comes again', async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(900));
    await cancelled(orderId, usd(900));
    const [request] = await refundRequestsOf(orderId);
    const [owed] = await paymentsOf(orderId);
    // the attempt that died: the provider refunded under the payment's refund key, nothing committed
    const first = await payments.services.charges.provider.refund({ idempotencyKey: refundKey(owed!.id), reference: owed!.providerReference!, amount: 900, currency: 'USD' });
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'CAPTURED' }]);
    // the bus redelivers the request it never saw acknowledged, and then once more
    await payments.redeliver(request!);
    await payments.redeliver(request!);
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED', providerReference: first.reference });
    // asked twice under one key, the provider refunded once; the redelivery after the commit did not ask
    expect(atProvider(owed!.id).refund).toMatchObject({ amount: 900, calls: 2 });
    expect(await eventsOf('payments.payment.refunded', orderId)).toHaveLength(1);
  });

  it('refunds nothing for a request whose payment is owed nothing', async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(1300));
    const [captured] = await paymentsOf(orderId);
    // a request without the decision recorded (refundRequestedAt) is not one payments made
    await payments.deliver(PaymentEvents.refundRequested, {
      tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, paymentId: captured!.id, amount: usd(1300) },
    });
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'CAPTURED', refundRequestedAt: null }]);
    expect(atProvider(captured!.id).refund).toBeUndefined();
    expect(await eventsOf('payments.payment.refunded', orderId)).toEqual([]);
  });
});

describe('a charge asked for before the process died, its order cancelled before the reservation came again', () => {
  /**
   * Delivers a reservation to payments as it runs now, up to the death of its process at the provider
   * call: `reached` says whether the call got to the provider (which then charged or declined) before
   * the death. Nothing after the call runs: the outcome is never committed, the event never claimed.
   */
  const reservedThenDied = async (orderId: string, total: Money, reached: boolean) => {
    const charges = payments.services.charges as { provider: PaymentProvider };
    const provider = charges.provider;
    charges.provider = {
      charge: async (request) => {
        if (reached) await provider.charge(request);
        throw new Error('the process died');
      },
      refund: (request) => provider.refund(request),
    };
    try {
      const event = createEvent(InventoryEvents.reserved, {
        tenantId: ACME.id, aggregateId: orderId, payload: { orderId, customerId: alice.userId, lines: [{ productId: randomUUID(), quantity: 1 }], total },
      });
      await expect(payments.redeliver(event)).rejects.toThrow('the process died');
      return event;
    } finally {
      charges.provider = provider;
    }
  };
  /** After the restart, orders' cancellation is handled before inventory's redelivered reservation. */
  const cancelledThenRedelivered = async (orderId: string, total: Money, reservation: EventEnvelope) => {
    await payments.restart();
    await cancelled(orderId, total);
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'FAILED', failureReason: 'Not charged: the order was cancelled first' }]);
    await payments.redeliver(reservation);
  };

  it('gives back a charge the provider made before the process died: one charge and one refund at the provider', async () => {
    const orderId = randomUUID();
    const reservation = await reservedThenDied(orderId, usd(1234), true);
    const [opened] = await paymentsOf(orderId);
    expect(opened).toMatchObject({ status: 'PENDING' });
    expect(opened!.chargeRequestedAt).toBeInstanceOf(Date);
    await cancelledThenRedelivered(orderId, usd(1234), reservation);
    // asked again under the same key, the provider answered with its first charge: owed back
    const [owed] = await paymentsOf(orderId);
    expect(owed).toMatchObject({ status: 'CAPTURED', failureReason: null, providerReference: expect.stringMatching(/^sim_ch_/) });
    expect(owed!.refundRequestedAt).toBeInstanceOf(Date);
    const requests = await refundRequestsOf(orderId);
    expect(requests.map((r) => r.payload)).toEqual([{ orderId, customerId: alice.userId, paymentId: owed!.id, amount: usd(1234) }]);
    expect(await eventsOf('payments.payment.captured', orderId)).toEqual([]);
    await payments.redeliver(requests[0]!);
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'REFUNDED', providerReference: expect.stringMatching(/^sim_re_/) }]);
    expect(atProvider(owed!.id)).toMatchObject({
      charge: { operation: 'charge', amount: 1234, answer: { ok: true }, calls: 2 },
      refund: { operation: 'refund', amount: 1234, calls: 1 },
    });
    expect(await eventsOf('payments.payment.refunded', orderId)).toHaveLength(1);
  });

  it('charges and gives back a charge that never reached the provider before the process died: money-neutral', async () => {
    const orderId = randomUUID();
    const reservation = await reservedThenDied(orderId, usd(4321), false);
    const [opened] = await paymentsOf(orderId);
    expect(atProvider(opened!.id).charge).toBeUndefined();
    await cancelledThenRedelivered(orderId, usd(4321), reservation);
    // payments cannot tell this from a charge that did reach the provider, so it asks: the provider
    // charges now, and the charge is given back like one that landed after the cancellation
    const [request] = await refundRequestsOf(orderId);
    await payments.redeliver(request!);
    expect(await paymentsOf(orderId)).toMatchObject([{ status: 'REFUNDED' }]);
    expect(atProvider(opened!.id)).toMatchObject({
      charge: { operation: 'charge', amount: 4321, answer: { ok: true }, calls: 1 },
      refund: { operation: 'refund', amount: 4321, calls: 1 },
    });
  });

  it('refunds once however often the reservation and the refund request are redelivered', async () => {
    const orderId = randomUUID();
    const reservation = await reservedThenDied(orderId, usd(2600), true);
    await cancelledThenRedelivered(orderId, usd(2600), reservation);
    await payments.redeliver(reservation);
    const [request] = await refundRequestsOf(orderId);
    await payments.redeliver(request!);
    await payments.redeliver(reservation);
    await payments.redeliver(request!);
    await reserved(orderId, usd(2600));
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED' });
    expect(await refundRequestsOf(orderId)).toHaveLength(1);
    expect(atProvider(payment!.id)).toMatchObject({ charge: { amount: 2600, answer: { ok: true } }, refund: { amount: 2600, calls: 1 } });
    expect(await eventsOf('payments.payment.refunded', orderId)).toHaveLength(1);
  });

  it('leaves a charge the provider declined before the process died as not charged, with nothing to give back', async () => {
    const orderId = randomUUID();
    const reservation = await reservedThenDied(orderId, usd(80_000), true);
    await cancelledThenRedelivered(orderId, usd(80_000), reservation);
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'FAILED', failureReason: 'Not charged: the order was cancelled first', providerReference: null, refundRequestedAt: null });
    expect(atProvider(payment!.id)).toMatchObject({ charge: { answer: { ok: false }, calls: 2 }, refund: undefined });
    expect(await refundRequestsOf(orderId)).toEqual([]);
  });
});

describe('PaymentQueryService', () => {
  const demoOrder = ACME.orders[0]!;
  const demoPaymentId = demoId(ACME.slug, 'payment', demoOrder.id);

  it('shows a customer the payment of their own order, by its id or by the order', async () => {
    expect(await payments.services.payments.byId(payments.as(alice), demoPaymentId.toUpperCase())).toMatchObject({ id: demoPaymentId, orderId: demoOrder.id });
    expect(await payments.services.payments.ofOrder(payments.as(alice), demoOrder.id)).toMatchObject({ id: demoPaymentId });
  });

  it("shows an admin every payment of their tenant and none of another tenant's", async () => {
    expect(await payments.services.payments.ofOrder(payments.as(acmeAdmin), demoOrder.id)).toMatchObject({ id: demoPaymentId });
    expect(await payments.services.payments.ofOrder(payments.as(globexAdmin), demoOrder.id)).toBeNull();
    expect(await payments.services.payments.byId(payments.as(globexAdmin), demoPaymentId)).toBeNull();
  });

  it("shows another customer of the same shop nothing of the payment, and nothing for a string that is no id", async () => {
    const carol: Identity = { userId: randomUUID(), tenantId: ACME.id, role: 'CUSTOMER' };
    expect(await payments.services.payments.byId(payments.as(carol), demoPaymentId)).toBeNull();
    expect(await payments.services.payments.ofOrder(payments.as(carol), demoOrder.id)).toBeNull();
    expect(await payments.services.payments.ofOrder(payments.as(alice), 'order-1')).toBeNull();
  });
});
