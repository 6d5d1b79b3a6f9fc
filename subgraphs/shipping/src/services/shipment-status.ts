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
