import { createHash } from 'node:crypto';
import type { ChargeResult, PaymentProvider } from './payment-provider.js';

/** What the simulated provider did for one idempotency key: the first answer, and how often it was asked. */
export interface LedgerEntry {
  operation: 'charge' | 'refund';
  amount: number;
  currency: string;
  answer: ChargeResult | { reference: string };
  calls: number;
}

/** Keys remembered at most (the oldest are forgotten first), so a long benchmark does not grow it without end. */
const LEDGER_LIMIT = 10_000;

/**
 * A deterministic stand-in for a card processor, for development, tests and benchmarks:
 * - a charge above the tenant's limit (PAYMENT_TENANT_LIMITS, else PAYMENT_DECLINE_ABOVE; default
 *   1,000,000 minor units) is declined with "Payment declined: …";
 * - every other charge is captured, with a reference derived from the idempotency key;
 * - each call waits PAYMENT_LATENCY_MS first, like a network round trip.
 * Same key, same answer: a repeated key is answered from the ledger and moves no money again, so
 * retries after a crash never charge or refund twice (the answer is also derived from the key, so a
 * key this process forgot or never saw, e.g. after a restart, still gets the same reference).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  /** Money moved, by idempotency key, oldest first: one entry per charge or refund made. */
  readonly ledger = new Map<string, LedgerEntry>();

  constructor(private readonly options: { latencyMs: number; declineAbove: number; tenantLimits: Record<string, number> }) {}

  async charge(request: { idempotencyKey: string; tenantId: string; amount: number; currency: string }): Promise<ChargeResult> {
    await this.wait();
    const repeated = this.repeat(request.idempotencyKey);
    if (repeated) return repeated.answer as ChargeResult;
    const limit = this.options.tenantLimits[request.tenantId] ?? this.options.declineAbove;
    const answer: ChargeResult =
      request.amount > limit
        ? { ok: false, reason: `Payment declined: ${format(request.amount, request.currency)} is over this shop's limit of ${format(limit, request.currency)}` }
        : { ok: true, reference: `sim_ch_${digest(request.idempotencyKey)}` };
    this.record(request.idempotencyKey, { operation: 'charge', amount: request.amount, currency: request.currency, answer, calls: 1 });
    return answer;
  }

  async refund(request: { idempotencyKey: string; reference: string; amount: number; currency: string }): Promise<{ reference: string }> {
    await this.wait();
    const repeated = this.repeat(request.idempotencyKey);
    if (repeated) return repeated.answer as { reference: string };
    const answer = { reference: `sim_re_${digest(`${request.idempotencyKey}:${request.reference}`)}` };
    this.record(request.idempotencyKey, { operation: 'refund', amount: request.amount, currency: request.currency, answer, calls: 1 });
    return answer;
  }

  private repeat(key: string): LedgerEntry | undefined {
    const entry = this.ledger.get(key);
    if (entry) entry.calls += 1;
    return entry;
  }

  private record(key: string, entry: LedgerEntry): void {
    this.ledger.set(key, entry);
    if (this.ledger.size > LEDGER_LIMIT) this.ledger.delete(this.ledger.keys().next().value!);
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
