import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryEvents, OrderEvents, type Money } from '#contracts';
import { createEvent } from '#platform/events';
import type { Identity } from '#platform/auth';
import { demoId } from '../../../prisma/demo-data.js';
import type { PaymentsData } from '../../../subgraphs/payments/src/context.js';
import type { PaymentsServices } from '../../../subgraphs/payments/src/services/index.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';

let payments: ServiceHarness<PaymentsData, PaymentsServices>;
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
});

afterAll(async () => {
  await payments.close();
});

const usd = (amount: number): Money => ({ amount, currency: 'USD' });

/** Inventory held an order's stock: payments is asked to charge its total. */
const reserved = (orderId: string, total: Money, customer: Identity = alice) =>
  payments.deliver(InventoryEvents.reserved, {
    tenantId: customer.tenantId, aggregateId: orderId,
    payload: { orderId, customerId: customer.userId, lines: [{ productId: randomUUID(), quantity: 1 }], total },
  });
const cancelled = (orderId: string, total: Money, requested = true) =>
  payments.deliver(OrderEvents.cancelled, {
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
}
const paymentsOf = (orderId: string) =>
  payments.sql<PaymentRow>(`SELECT "id", "status", "amount", "currency", "providerReference", "failureReason" FROM "payments"."Payment" WHERE "orderId" = $1`, orderId);
const eventsOf = async (type: string, orderId: string) => (await payments.outbox(type)).filter((e) => e.aggregateId === orderId).map((e) => e.payload);

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
    const consumer = payments.subgraph.consumers.find((c) => c.types.includes(InventoryEvents.reserved.type))!;
    const { db } = payments.subgraph.runtime;
    const opened: string[] = [];
    const transaction = db.$transaction.bind(db);
    // counts the transactions as the platform opens them, each still run by the real client
    db.$transaction = ((fn: never, options: never) => (opened.push('tx'), transaction(fn, options))) as typeof db.$transaction;
    try {
      const before = payments.subgraph.runtime.statements.total;
      await Promise.all(events.map((event) => consumer.handler(event)));
      const used = payments.subgraph.runtime.statements.total - before;
      expect(opened).toHaveLength(2);
      // per charge its insert and its move; the claims in one statement and the captured events in one
      expect(used).toBe(6 * 2 + 2);
    } finally {
      db.$transaction = transaction;
    }
    for (const orderId of orderIds) {
      expect((await paymentsOf(orderId)).map((p) => p.status)).toEqual(['CAPTURED']);
      expect(await eventsOf('payments.payment.captured', orderId)).toHaveLength(1);
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

  it('refunds a captured payment when its order is cancelled, once however often the cancellation comes', async () => {
    const orderId = randomUUID();
    await reserved(orderId, usd(3100));
    const cancellation = await cancelled(orderId, usd(3100));
    await payments.redeliver(cancellation);
    await cancelled(orderId, usd(3100));
    const [payment] = await paymentsOf(orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED' });
    expect(payment!.providerReference).toMatch(/^sim_re_/);
    expect(await eventsOf('payments.payment.refunded', orderId)).toEqual([{ orderId, customerId: alice.userId, paymentId: payment!.id, amount: usd(3100) }]);
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
    // Usually the cancellation closes the payment first and the charge that lands after it is
    // refunded at the provider; on a very slow machine the capture can win, the cancellation is
    // refused, and the bus's redelivery refunds it. Either way no money is kept.
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const refused = await payments.redeliver(cancellation).then(() => null, (error: Error) => error);
      if (!refused) break;
      expect(refused.message).toMatch(/changed while it was being cancelled/);
      expect(attempts).toBeLessThan(3);
    }
    await charging;
    const [payment] = await paymentsOf(orderId);
    if (payment!.status === 'FAILED') expect(payment!.failureReason).toBe('Not charged: the order was cancelled first');
    else expect(payment!.status).toBe('REFUNDED');
    expect((await eventsOf('payments.payment.captured', orderId)).length).toBe((await eventsOf('payments.payment.refunded', orderId)).length);
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
