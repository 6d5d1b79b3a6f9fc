import { PaymentEvents, type Money, type OrderLine } from '#contracts';
import { createEvent, type EventEnvelope } from '#platform/events';
import type { PaymentsContext } from '../context.js';
import type { PaymentProvider } from '../providers/payment-provider.js';

const CANCELLED_BEFORE_CHARGE = 'Not charged: the order was cancelled first';

/** Payments' part of the checkout saga: charge once stock is held, refund when an order is cancelled. */
export class PaymentService {
  constructor(private readonly provider: PaymentProvider) {}

  /**
   * Charges for a reserved order. The provider call runs outside any transaction (it may be slow);
   * the payment row exists first, and the provider is idempotent on the payment id, so a crash and
   * redelivery at any point charges once. The event id is claimed with the outcome. The row is
   * created in a transaction of its own too: in a consumer it joins the batch of other events'
   * transactions, one commit for all of them instead of one per charge.
   */
  async chargeReserved(ctx: PaymentsContext, event: EventEnvelope<{ orderId: string; customerId: string; lines: OrderLine[]; total: Money }>): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const tenantId = ctx.tenantId;
    const payment = await ctx.transaction((tx) => tx.repos.payments.findOrCreatePending({ orderId, customerId, amount: total.amount, currency: total.currency }));
    if (payment.status !== 'PENDING') {
      await ctx.transactionOnce(async () => undefined);
      return;
    }
    const result = await this.provider.charge({ idempotencyKey: payment.id, tenantId, amount: payment.amount, currency: payment.currency });
    let chargedButClosed: string | null = null;
    await ctx.transactionOnce(async (tx) => {
      const { payments } = tx.repos;
      const fields = { tenantId, aggregateId: orderId, traceparent: event.traceparent };
      if (result.ok) {
        const captured = await payments.move(payment.id, 'PENDING', { status: 'CAPTURED', providerReference: result.reference });
        if (captured) await tx.emit(createEvent(PaymentEvents.captured, { ...fields, payload: { orderId, customerId, paymentId: payment.id, amount: total } }));
        else chargedButClosed = result.reference;
      } else {
        const failed = await payments.move(payment.id, 'PENDING', { status: 'FAILED', failureReason: result.reason });
        if (failed) await tx.emit(createEvent(PaymentEvents.failed, { ...fields, payload: { orderId, customerId, paymentId: payment.id, reason: result.reason } }));
      }
    });
    if (chargedButClosed) {
      // The order was cancelled while the provider charged it: give the money straight back.
      await this.provider.refund({ idempotencyKey: payment.id, reference: chargedButClosed, amount: payment.amount, currency: payment.currency });
      ctx.logger.warn({ orderId, paymentId: payment.id }, 'charge landed after the order was cancelled; refunded at the provider');
    }
  }

  /**
   * A cancelled order: refund a captured payment. An order cancelled on request before it was
   * charged gets a closed (FAILED, "not charged") payment, so that a reservation still on its way
   * never charges it; one the saga cancelled (short stock, declined) was never going to be charged.
   * The refund call runs between transactions, for the same reason as the charge.
   */
  async cancelled(ctx: PaymentsContext, event: EventEnvelope<{ orderId: string; customerId: string; reason: string; requested: boolean; total: Money }>): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const tenantId = ctx.tenantId;
    const payment = await ctx.repos.payments.findByOrderId(orderId);
    if (!payment || payment.status === 'PENDING') {
      await ctx.transactionOnce(async (tx) => {
        if (!payment && !event.payload.requested) return;
        const repo = tx.repos.payments;
        const open = payment ?? (await repo.findOrCreatePending({ orderId, customerId, amount: total.amount, currency: total.currency }));
        if (open.status === 'PENDING' && (await repo.move(open.id, 'PENDING', { status: 'FAILED', failureReason: CANCELLED_BEFORE_CHARGE }))) return;
        // A charge got there first: roll back (the claim too) so the redelivery refunds it.
        throw new Error(`payment of order ${orderId} changed while it was being cancelled; retrying`);
      });
      return;
    }
    if (payment.status !== 'CAPTURED') {
      await ctx.transactionOnce(async () => undefined);
      return;
    }
    const refund = await this.provider.refund({ idempotencyKey: payment.id, reference: payment.providerReference ?? '', amount: payment.amount, currency: payment.currency });
    await ctx.transactionOnce(async (tx) => {
      const refunded = await tx.repos.payments.move(payment.id, 'CAPTURED', { status: 'REFUNDED', providerReference: refund.reference });
      if (refunded) {
        await tx.emit(createEvent(PaymentEvents.refunded, {
          tenantId, aggregateId: orderId, traceparent: event.traceparent,
          payload: { orderId, customerId: payment.customerId, paymentId: payment.id, amount: { amount: payment.amount, currency: payment.currency } },
        }));
      }
    });
  }
}
