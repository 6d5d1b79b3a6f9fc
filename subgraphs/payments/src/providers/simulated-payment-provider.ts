import { createHash } from 'node:crypto';
import type { ChargeResult, PaymentProvider } from './payment-provider.js';

/**
 * A deterministic stand-in for a card processor, for development, tests and benchmarks:
 * - a charge above the tenant's limit (PAYMENT_TENANT_LIMITS, else PAYMENT_DECLINE_ABOVE; default
 *   1,000,000 minor units) is declined with "Payment declined: …";
 * - every other charge is captured, with a reference derived from the idempotency key;
 * - each call waits PAYMENT_LATENCY_MS first, like a network round trip.
 * Same key, same answer: retries after a crash never charge twice.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(private readonly options: { latencyMs: number; declineAbove: number; tenantLimits: Record<string, number> }) {}

  async charge(request: { idempotencyKey: string; tenantId: string; amount: number; currency: string }): Promise<ChargeResult> {
    await this.wait();
    const limit = this.options.tenantLimits[request.tenantId] ?? this.options.declineAbove;
    if (request.amount > limit) {
      return { ok: false, reason: `Payment declined: ${format(request.amount, request.currency)} is over this shop's limit of ${format(limit, request.currency)}` };
    }
    return { ok: true, reference: `sim_ch_${digest(request.idempotencyKey)}` };
  }

  async refund(request: { idempotencyKey: string; reference: string }): Promise<{ reference: string }> {
    await this.wait();
    return { reference: `sim_re_${digest(`${request.idempotencyKey}:${request.reference}`)}` };
  }

  private async wait(): Promise<void> {
    if (this.options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

function format(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}
