import { DomainError } from '#platform/errors';

/** An adjustment would leave fewer than zero units available. */
export class InsufficientStockError extends DomainError {
  constructor(available: number, delta: number) {
    super('INSUFFICIENT_STOCK', `Only ${available} units are available; cannot remove ${-delta}.`, { available, delta, field: 'delta' });
  }
}
