import type { ShipmentStatus } from '../generated/prisma/client.js';

/** The one place shipment status rules live. */
const NEXT: Record<ShipmentStatus, readonly ShipmentStatus[]> = {
  PENDING: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['IN_TRANSIT', 'DELIVERED'],
  IN_TRANSIT: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export function statusesBefore(to: ShipmentStatus): ShipmentStatus[] {
  return (Object.keys(NEXT) as ShipmentStatus[]).filter((from) => NEXT[from].includes(to));
}

/**
 * A shipment is cancelled only with its order, never by hand: orders follows a shipment that
 * ships or arrives, not one stopped on its own, which would leave a paid order that never ships.
 */
export function canBeSetByHand(to: ShipmentStatus): boolean {
  return to !== 'CANCELLED';
}
