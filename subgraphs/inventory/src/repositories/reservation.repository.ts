import type { InventoryClient } from '../db.js';
import type { Reservation, ReservationStatus } from '../generated/prisma/client.js';
import type { OrderLine } from '#contracts';

/** What inventory holds per order, of one tenant. */
export class ReservationRepository {
  constructor(
    private readonly db: InventoryClient,
    private readonly tenantId: string,
  ) {}

  findByOrderId(orderId: string): Promise<Reservation | null> {
    return this.db.reservation.findUnique({ where: { tenantId_orderId: { tenantId: this.tenantId, orderId } } });
  }

  create(orderId: string, status: ReservationStatus, lines: OrderLine[], reason: string | null): Promise<Reservation> {
    return this.db.reservation.create({ data: { tenantId: this.tenantId, orderId, status, lines: lines as object[], reason } });
  }

  /** Sets status and reason of the order's reservation. */
  async mark(orderId: string, status: ReservationStatus, reason: string | null): Promise<void> {
    await this.db.reservation.updateMany({ where: { tenantId: this.tenantId, orderId }, data: { status, reason } });
  }

  /** Conditional: only a reservation still in `from` moves, so a release and a commit cannot both apply. */
  async move(orderId: string, from: ReservationStatus, to: ReservationStatus): Promise<boolean> {
    const { count } = await this.db.reservation.updateMany({ where: { tenantId: this.tenantId, orderId, status: from }, data: { status: to } });
    return count === 1;
  }
}

export function linesOf(reservation: Reservation): OrderLine[] {
  return reservation.lines as unknown as OrderLine[];
}
