import { DomainError } from '#platform/errors';

/** A shipment cannot move to the status asked for from where it is. */
export class ShipmentStateError extends DomainError {
  constructor(from: string, to: string, message = `A ${from.toLowerCase()} shipment cannot become ${to.toLowerCase()}.`) {
    super('INVALID_TRANSITION', message, { from, to, field: 'status' });
  }
}
