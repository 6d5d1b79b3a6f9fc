import type { OrderStatus } from '../generated/prisma/client.js';

/** The one place order status rules live: which status may follow which. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Statuses an order may be in to move to `to`. */
export function statusesBefore(to: OrderStatus): OrderStatus[] {
  return (Object.keys(NEXT) as OrderStatus[]).filter((from) => NEXT[from].includes(to));
}

/** A customer may cancel until the order ships. */
export const CANCELLABLE: readonly OrderStatus[] = statusesBefore('CANCELLED');
