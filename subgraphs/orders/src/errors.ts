import { DomainError } from '#platform/errors';

/** The order is past the point where this can be done (e.g. cancelling a shipped order). */
export class OrderStateError extends DomainError {
  constructor(code: 'ORDER_NOT_CANCELLABLE' | 'INVALID_TRANSITION', message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
