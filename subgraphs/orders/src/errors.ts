import { ConflictError, DomainError } from '#platform/errors';

/** The order is past the point where this can be done (e.g. cancelling a shipped order). */
export class OrderStateError extends DomainError {
  constructor(code: 'ORDER_NOT_CANCELLABLE' | 'INVALID_TRANSITION', message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/** An idempotency key the customer already used, sent with a different cart. */
export class IdempotencyKeyReusedError extends ConflictError {
  constructor(orderId: string) {
    super('This idempotency key already placed an order with other items. Use a new key for a new order.', { field: 'input.idempotencyKey', orderId });
  }
}
