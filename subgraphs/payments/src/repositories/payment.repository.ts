import { randomUUID } from 'node:crypto';
import type { PaymentsClient } from '../db.js';
import type { Payment } from '../generated/prisma/client.js';

const PAYMENT_COLUMNS = `"id", "tenantId", "orderId", "customerId", "status"::text AS "status", "amount", "currency", "providerReference", "failureReason", "refundRequestedAt", "chargeRequestedAt", "createdAt", "updatedAt"`;

/** Payments of one tenant; the tenant is fixed at construction and part of every query. */
export class PaymentRepository {
  constructor(
    private readonly db: PaymentsClient,
    private readonly tenantId: string,
  ) {}

  findByIds(ids: readonly string[]): Promise<Payment[]> {
    return this.db.payment.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  findByOrderId(orderId: string): Promise<Payment | null> {
    return this.db.payment.findUnique({ where: { tenantId_orderId: { tenantId: this.tenantId, orderId } } });
  }

  /**
   * The payment of an order, created PENDING if it has none yet (the unique (tenant, order) index decides races).
   * `chargeRequested`: it is opened to be charged now, so a new one records `chargeRequestedAt` (in the same INSERT).
   */
  async findOrCreatePending(order: { orderId: string; customerId: string; amount: number; currency: string; chargeRequested: boolean }): Promise<Payment> {
    // one INSERT … ON CONFLICT DO NOTHING RETURNING when it is new; a second read only when it was not
    // raw SQL on the saga's hot path (a payment per order): Prisma's query compiler costs more than the statement
    const [created] = await this.db.$queryRawUnsafe<Payment[]>(
      `INSERT INTO "payments"."Payment" ("id", "tenantId", "orderId", "customerId", "status", "amount", "currency", "chargeRequestedAt", "updatedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, 'PENDING', $5, $6, CASE WHEN $7 THEN clock_timestamp() AT TIME ZONE 'UTC' END, clock_timestamp() AT TIME ZONE 'UTC')
       ON CONFLICT ("tenantId", "orderId") DO NOTHING
       RETURNING ${PAYMENT_COLUMNS}`,
      randomUUID(), this.tenantId, order.orderId, order.customerId, order.amount, order.currency, order.chargeRequested,
    );
    return created ?? (await this.findByOrderId(order.orderId))!;
  }

  /** Conditional move between statuses (one UPDATE … RETURNING); null when the payment was not in `from`. */
  async move(id: string, from: Payment['status'], data: Partial<Pick<Payment, 'status' | 'providerReference' | 'failureReason'>>): Promise<Payment | null> {
    // one statement per charge on the saga's hot path, so raw SQL; only the columns given change
    const [payment] = await this.db.$queryRawUnsafe<Payment[]>(
      `UPDATE "payments"."Payment"
          SET "status" = COALESCE($4::"payments"."PaymentStatus", "status"),
              "providerReference" = CASE WHEN $5 THEN $6 ELSE "providerReference" END,
              "failureReason" = CASE WHEN $7 THEN $8 ELSE "failureReason" END,
              "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
        WHERE "tenantId" = $1::uuid AND "id" = $2::uuid AND "status" = $3::"payments"."PaymentStatus"
       RETURNING ${PAYMENT_COLUMNS}`,
      this.tenantId, id, from, data.status ?? null,
      'providerReference' in data, data.providerReference ?? null, 'failureReason' in data, data.failureReason ?? null,
    );
    return payment ?? null;
  }

  /**
   * A charge that landed on a payment the order's cancellation had already closed as not charged
   * (`closedReason`): captured after all, with the refund owed recorded in the same UPDATE. Null when
   * the payment is not such a closed one (so at most one caller records it).
   */
  async captureOwedBack(id: string, providerReference: string, closedReason: string): Promise<Payment | null> {
    const [payment] = await this.db.$queryRawUnsafe<Payment[]>(
      `UPDATE "payments"."Payment"
          SET "status" = 'CAPTURED', "providerReference" = $3, "failureReason" = NULL,
              "refundRequestedAt" = clock_timestamp() AT TIME ZONE 'UTC', "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
        WHERE "tenantId" = $1::uuid AND "id" = $2::uuid AND "status" = 'FAILED' AND "failureReason" = $4
          AND "providerReference" IS NULL AND "refundRequestedAt" IS NULL
       RETURNING ${PAYMENT_COLUMNS}`,
      this.tenantId, id, providerReference, closedReason,
    );
    return payment ?? null;
  }

  /** Records that a captured payment is owed back; null when it is not captured or a refund is owed already. */
  async requestRefund(id: string): Promise<Payment | null> {
    const [payment] = await this.db.$queryRawUnsafe<Payment[]>(
      `UPDATE "payments"."Payment"
          SET "refundRequestedAt" = clock_timestamp() AT TIME ZONE 'UTC', "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
        WHERE "tenantId" = $1::uuid AND "id" = $2::uuid AND "status" = 'CAPTURED' AND "refundRequestedAt" IS NULL
       RETURNING ${PAYMENT_COLUMNS}`,
      this.tenantId, id,
    );
    return payment ?? null;
  }

  findByOrderIds(orderIds: readonly string[]): Promise<Payment[]> {
    return this.db.payment.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } } });
  }
}
