import { randomUUID } from 'node:crypto';
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

  /** Records the order's reservation unless it has one already; false when it had (nothing written). */
  async createIfAbsent(orderId: string, status: ReservationStatus, lines: OrderLine[], reason: string | null): Promise<boolean> {
    // raw SQL on the saga's hot path: Prisma's query compiler costs more than the statement
    const count = await this.db.$executeRawUnsafe(
      `INSERT INTO "inventory"."Reservation" ("id", "tenantId", "orderId", "status", "lines", "reason", "updatedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::"inventory"."ReservationStatus", $5::jsonb, $6, clock_timestamp() AT TIME ZONE 'UTC')
       ON CONFLICT ("tenantId", "orderId") DO NOTHING`,
      randomUUID(), this.tenantId, orderId, status, JSON.stringify(lines), reason,
    );
    return count === 1;
  }

  /** Like `move`, returning the reservation after the move (one UPDATE … RETURNING), or null. */
  async moveReturning(orderId: string, from: ReservationStatus, to: ReservationStatus): Promise<Reservation | null> {
    const [moved] = await this.db.$queryRawUnsafe<Reservation[]>(
      `UPDATE "inventory"."Reservation" SET "status" = $4::"inventory"."ReservationStatus", "updatedAt" = clock_timestamp() AT TIME ZONE 'UTC'
        WHERE "tenantId" = $1::uuid AND "orderId" = $2::uuid AND "status" = $3::"inventory"."ReservationStatus"
       RETURNING "id", "tenantId", "orderId", "status"::text AS "status", "lines", "reason", "createdAt", "updatedAt"`,
      this.tenantId, orderId, from, to,
    );
    if (!moved) return null;
    return typeof moved.lines === 'string' ? { ...moved, lines: JSON.parse(moved.lines) } : moved;
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
