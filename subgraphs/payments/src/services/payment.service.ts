import { PaymentEvents, type Money, type OrderLine } from '#contracts';
import { createEvent, type EventEnvelope } from '#platform/events';
import type { PaymentsContext, PaymentsTransaction } from '../context.js';
import type { Payment } from '../generated/prisma/client.js';
import type { PaymentProvider } from '../providers/payment-provider.js';

const CANCELLED_BEFORE_CHARGE = 'Not charged: the order was cancelled first';

/** Payments' part of the checkout saga: charge once stock is held, refund what a cancelled order was charged. */
export class PaymentService {
  /** `provider`: the port to whoever moves the money (tests read the simulated one's ledger through it). */
  constructor(readonly provider: PaymentProvider) {}

  /**
   * Charges for a reserved order. The provider call runs outside any transaction (it may be slow);
   * the payment row exists first, and the provider is idempotent on the payment id, so a crash and
   * redelivery at any point charges once. The event id is claimed with the outcome. The row is
   * created in a transaction of its own too: in a consumer it joins the batch of other events'
   * transactions, one commit for all of them instead of one per charge. It records that the charge
   * is about to be asked for (`chargeRequestedAt`, in its INSERT): if the process dies after the call
   * and the order's cancellation is handled before the redelivery, `chargeAgainAfterCancellation`
   * asks again and gives back what was taken.
   */
  async chargeReserved(ctx: PaymentsContext, event: EventEnvelope<{ orderId: string; customerId: string; lines: OrderLine[]; total: Money }>): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const tenantId = ctx.tenantId;
    const payment = await ctx.transaction((tx) => tx.repos.payments.findOrCreatePending({ orderId, customerId, amount: total.amount, currency: total.currency, chargeRequested: true }));
    if (payment.status !== 'PENDING') {
      if (mayHaveBeenCharged(payment)) await this.chargeAgainAfterCancellation(ctx, event, payment);
      else await ctx.transactionOnce(async () => undefined);
      return;
    }
    const result = await this.provider.charge({ idempotencyKey: payment.id, tenantId, amount: payment.amount, currency: payment.currency });
    let landedAfterCancellation = false;
    await ctx.transactionOnce(async (tx) => {
      const { payments } = tx.repos;
      const fields = { tenantId, aggregateId: orderId, traceparent: event.traceparent };
      if (result.ok) {
        const captured = await payments.move(payment.id, 'PENDING', { status: 'CAPTURED', providerReference: result.reference });
        if (captured) await tx.emit(createEvent(PaymentEvents.captured, { ...fields, payload: { orderId, customerId, paymentId: payment.id, amount: total } }));
        else landedAfterCancellation = await this.oweBackLateCharge(tx, event, payment.id, result.reference);
      } else {
        const failed = await payments.move(payment.id, 'PENDING', { status: 'FAILED', failureReason: result.reason });
        if (failed) await tx.emit(createEvent(PaymentEvents.failed, { ...fields, payload: { orderId, customerId, paymentId: payment.id, reason: result.reason } }));
      }
    });
    if (landedAfterCancellation) ctx.logger.warn({ orderId, paymentId: payment.id }, 'charge landed after the order was cancelled; its refund is recorded and follows');
  }

  /**
   * A redelivered reservation of a payment the cancellation closed as not charged after its charge
   * was asked for: the process may have died after the provider charged and before the outcome
   * committed. Asking again under the same key (the payment id) cannot charge twice: the provider
   * answers with its first outcome if it charged, or charges now if the first call never reached it.
   * A capture is owed back through the late-charge path (once: `captureOwedBack` is conditional), in
   * the transaction that claims the event; a decline leaves nothing to give back.
   */
  private async chargeAgainAfterCancellation(ctx: PaymentsContext, event: EventEnvelope<{ orderId: string; customerId: string }>, payment: Payment): Promise<void> {
    const result = await this.provider.charge({ idempotencyKey: payment.id, tenantId: ctx.tenantId, amount: payment.amount, currency: payment.currency });
    let owedBack = false;
    await ctx.transactionOnce(async (tx) => {
      if (result.ok) owedBack = await this.oweBackLateCharge(tx, event, payment.id, result.reference);
    });
    if (owedBack) ctx.logger.warn({ orderId: payment.orderId, paymentId: payment.id }, 'a charge asked for before a crash was cancelled first; its refund is recorded and follows');
  }

  /**
   * The order was cancelled while the provider charged it (the cancellation closed the payment as not
   * charged): the money was taken all the same. Records the capture and the refund owed, and writes
   * the refund_requested event, in the transaction that claims the reservation, so the decision and
   * the refund that follows it (`refund`) survive any crash; a payment that is not such a closed one
   * (another delivery of this charge captured it) is left as it is. True when the refund was recorded.
   */
  private async oweBackLateCharge(tx: PaymentsTransaction, event: EventEnvelope<{ orderId: string; customerId: string }>, paymentId: string, reference: string): Promise<boolean> {
    const owed = await tx.repos.payments.captureOwedBack(paymentId, reference, CANCELLED_BEFORE_CHARGE);
    if (owed) await tx.emit(refundRequestedEvent(owed, event.traceparent));
    return owed !== null;
  }

  /**
   * A cancelled order: a captured payment is owed back. An order cancelled on request before it was
   * charged gets a closed (FAILED, "not charged") payment, so that a reservation still on its way
   * never charges it; one the saga cancelled (short stock, declined) was never going to be charged.
   * A captured one gets its refund recorded (`refundRequestedAt`) with the refund_requested event and
   * the claim of this event, in one transaction; `refund` then makes it at the provider.
   */
  async cancelled(ctx: PaymentsContext, event: EventEnvelope<{ orderId: string; customerId: string; reason: string; requested: boolean; total: Money }>): Promise<void> {
    const { orderId, customerId, total } = event.payload;
    const payment = await ctx.repos.payments.findByOrderId(orderId);
    if (!payment || payment.status === 'PENDING') {
      await ctx.transactionOnce(async (tx) => {
        if (!payment && !event.payload.requested) return;
        const repo = tx.repos.payments;
        const open = payment ?? (await repo.findOrCreatePending({ orderId, customerId, amount: total.amount, currency: total.currency, chargeRequested: false }));
        if (open.status === 'PENDING' && (await repo.move(open.id, 'PENDING', { status: 'FAILED', failureReason: CANCELLED_BEFORE_CHARGE }))) return;
        // A charge got there first: roll back (the claim too) so the redelivery refunds it.
        throw new Error(`payment of order ${orderId} changed while it was being cancelled; retrying`);
      });
      return;
    }
    await ctx.transactionOnce(async (tx) => {
      // a payment not captured has nothing to give back; one owed back already is not owed twice
      if (payment.status !== 'CAPTURED') return;
      const owed = await tx.repos.payments.requestRefund(payment.id);
      if (owed) await tx.emit(refundRequestedEvent(owed, event.traceparent));
    });
  }

  /**
   * payments.payment.refund_requested, from payments' own outbox: gives an owed payment back at the
   * provider. The provider call runs between transactions, keyed by the payment's refund key, and the
   * event is claimed only with the outcome: a crash before the call, during it or before the commit
   * leaves the event unclaimed, and its redelivery (or the relay after a restart) asks again with the
   * same key, which the provider answers with the first refund: the money goes back once. A redelivery
   * after the commit finds the payment REFUNDED and changes nothing.
   */
  async refund(ctx: PaymentsContext, event: EventEnvelope<{ orderId: string; paymentId: string }>): Promise<void> {
    const [payment] = await ctx.repos.payments.findByIds([event.payload.paymentId]);
    if (!payment || payment.status !== 'CAPTURED' || !payment.refundRequestedAt) {
      await ctx.transactionOnce(async () => undefined);
      return;
    }
    const refund = await this.provider.refund({ idempotencyKey: refundKey(payment.id), reference: payment.providerReference ?? '', amount: payment.amount, currency: payment.currency });
    await ctx.transactionOnce(async (tx) => {
      const refunded = await tx.repos.payments.move(payment.id, 'CAPTURED', { status: 'REFUNDED', providerReference: refund.reference });
      if (refunded) {
        await tx.emit(createEvent(PaymentEvents.refunded, {
          tenantId: ctx.tenantId, aggregateId: payment.orderId, traceparent: event.traceparent,
          payload: { orderId: payment.orderId, customerId: payment.customerId, paymentId: payment.id, amount: { amount: payment.amount, currency: payment.currency } },
        }));
      }
    });
  }
}

/** The idempotency key of a payment's refund: its own, not the charge's (providers keep one answer per key). */
export function refundKey(paymentId: string): string {
  return `${paymentId}:refund`;
}

/** Closed by the cancellation as not charged, though its charge had been asked for (and not owed back yet). */
function mayHaveBeenCharged(payment: Payment): boolean {
  return payment.status === 'FAILED' && payment.failureReason === CANCELLED_BEFORE_CHARGE && payment.providerReference === null
    && payment.refundRequestedAt === null && payment.chargeRequestedAt !== null;
}

function refundRequestedEvent(payment: Payment, traceparent: string | null) {
  return createEvent(PaymentEvents.refundRequested, {
    tenantId: payment.tenantId, aggregateId: payment.orderId, traceparent,
    payload: { orderId: payment.orderId, customerId: payment.customerId, paymentId: payment.id, amount: { amount: payment.amount, currency: payment.currency } },
  });
}
