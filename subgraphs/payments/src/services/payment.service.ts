import { PaymentEvents, type Money, type OrderLine } from '#contracts';
import { createEvent, type EventEnvelope } from '#platform/events';
import type { PaymentsRuntime } from '../context.js';
import type { PaymentProvider } from '../providers/payment-provider.js';
import { PaymentRepository } from '../repositories/payment.repository.js';

const CANCELLED_BEFORE_CHARGE = 'Not charged: the order was cancelled first';

/** Payments' part of the checkout saga: charge once stock is held, refund when an order is cancelled. */
export class PaymentService {
  constructor(
    private readonly runtime: PaymentsRuntime,
    private readonly provider: PaymentProvider,
  ) {}

  /**
   * Charges for a reserved order. The provider call runs outside any transaction (it may be slow);
   * the payment row exists first, and the provider is idempotent on the payment id, so a crash and
   * redelivery at any point charges once. The event id is claimed with the outcome.
   */
  async chargeReserved(event: EventEnvelope<{ orderId: string; customerId: string; lines: OrderLine[]; total: Money }>, consumer: string): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const tenantId = event.tenantId;
    const payment = await new PaymentRepository(this.runtime.db, tenantId).findOrCreatePending({ orderId, customerId, amount: total.amount, currency: total.currency });
    if (payment.status !== 'PENDING') {
      await this.runtime.uow.execute((tx) => this.runtime.inbox.claim(tx, consumer, event.id));
      return;
    }
    const result = await this.provider.charge({ idempotencyKey: payment.id, tenantId, amount: payment.amount, currency: payment.currency });
    let chargedButClosed: string | null = null;
    await this.runtime.uow.execute(async (tx, events) => {
      if (!(await this.runtime.inbox.claim(tx, consumer, event.id))) return;
      const payments = new PaymentRepository(tx, tenantId);
      const fields = { tenantId, aggregateId: orderId, traceparent: event.traceparent };
      if (result.ok) {
        const captured = await payments.move(payment.id, 'PENDING', { status: 'CAPTURED', providerReference: result.reference });
        if (captured) await events.emit(createEvent(PaymentEvents.captured, { ...fields, payload: { orderId, customerId, paymentId: payment.id, amount: total } }));
        else chargedButClosed = result.reference;
      } else {
        const failed = await payments.move(payment.id, 'PENDING', { status: 'FAILED', failureReason: result.reason });
        if (failed) await events.emit(createEvent(PaymentEvents.failed, { ...fields, payload: { orderId, customerId, paymentId: payment.id, reason: result.reason } }));
      }
    });
    if (chargedButClosed) {
      // The order was cancelled while the provider charged it: give the money straight back.
      await this.provider.refund({ idempotencyKey: payment.id, reference: chargedButClosed, amount: payment.amount, currency: payment.currency });
      this.runtime.logger.warn({ orderId, paymentId: payment.id }, 'charge landed after the order was cancelled; refunded at the provider');
    }
  }

  /**
   * A cancelled order: refund a captured payment. An order cancelled on request before it was
   * charged gets a closed (FAILED, "not charged") payment, so that a reservation still on its way
   * never charges it; one the saga cancelled (short stock, declined) was never going to be charged.
   * The refund call runs between transactions, for the same reason as the charge.
   */
  async cancelled(event: EventEnvelope<{ orderId: string; customerId: string; reason: string; requested: boolean; total: Money }>, consumer: string): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const tenantId = event.tenantId;
    const payments = new PaymentRepository(this.runtime.db, tenantId);
    const payment = await payments.findByOrderId(orderId);
    if (!payment || payment.status === 'PENDING') {
      await this.runtime.uow.execute(async (tx) => {
        if (!(await this.runtime.inbox.claim(tx, consumer, event.id))) return;
        if (!payment && !event.payload.requested) return;
        const repo = new PaymentRepository(tx, tenantId);
        const open = payment ?? (await repo.findOrCreatePending({ orderId, customerId, amount: total.amount, currency: total.currency }));
        if (open.status === 'PENDING' && (await repo.move(open.id, 'PENDING', { status: 'FAILED', failureReason: CANCELLED_BEFORE_CHARGE }))) return;
        // A charge got there first: roll back (the claim too) so the redelivery refunds it.
        throw new Error(`payment of order ${orderId} changed while it was being cancelled; retrying`);
      });
      return;
    }
    if (payment.status !== 'CAPTURED') {
      await this.runtime.uow.execute((tx) => this.runtime.inbox.claim(tx, consumer, event.id));
      return;
    }
    const refund = await this.provider.refund({ idempotencyKey: payment.id, reference: payment.providerReference ?? '', amount: payment.amount, currency: payment.currency });
    await this.runtime.uow.execute(async (tx, events) => {
      if (!(await this.runtime.inbox.claim(tx, consumer, event.id))) return;
      const refunded = await new PaymentRepository(tx, tenantId).move(payment.id, 'CAPTURED', { status: 'REFUNDED', providerReference: refund.reference });
      if (refunded) {
        await events.emit(createEvent(PaymentEvents.refunded, {
          tenantId, aggregateId: orderId, traceparent: event.traceparent,
          payload: { orderId, customerId: payment.customerId, paymentId: payment.id, amount: { amount: payment.amount, currency: payment.currency } },
        }));
      }
    });
  }
}
