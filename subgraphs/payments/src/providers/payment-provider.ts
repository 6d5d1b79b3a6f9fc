/** The port to whoever moves the money. Calls carry an idempotency key: repeating one repeats its answer. */
export interface PaymentProvider {
  charge(request: { idempotencyKey: string; tenantId: string; amount: number; currency: string }): Promise<ChargeResult>;
  refund(request: { idempotencyKey: string; reference: string; amount: number; currency: string }): Promise<{ reference: string }>;
}

export type ChargeResult = { ok: true; reference: string } | { ok: false; reason: string };
