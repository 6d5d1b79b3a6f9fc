import { randomUUID } from 'node:crypto';
import type { ShippingClient } from '../db.js';
import type { Shipment, ShipmentStatus } from '../generated/prisma/client.js';

/** Shipments of one tenant; the tenant is fixed at construction and part of every query. */
export class ShipmentRepository {
  constructor(
    private readonly db: ShippingClient,
    private readonly tenantId: string,
  ) {}

  findByIds(ids: readonly string[]): Promise<Shipment[]> {
    return this.db.shipment.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  findByOrderId(orderId: string): Promise<Shipment | null> {
    return this.db.shipment.findUnique({ where: { tenantId_orderId: { tenantId: this.tenantId, orderId } } });
  }

  /** The order's shipment, created PENDING in one statement; null (nothing written) when the order has one already. */
  async createIfAbsent(shipment: { orderId: string; customerId: string; carrier: string; trackingNumber: string }): Promise<Shipment | null> {
    // raw SQL on the saga's hot path (a shipment per confirmed order): Prisma's query compiler costs more than the statement
    const [created] = await this.db.$queryRawUnsafe<Shipment[]>(
      `INSERT INTO "shipping"."Shipment" ("id", "tenantId", "orderId", "customerId", "status", "carrier", "trackingNumber", "updatedAt")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, 'PENDING', $5, $6, clock_timestamp() AT TIME ZONE 'UTC')
       ON CONFLICT ("tenantId", "orderId") DO NOTHING
       RETURNING "id", "tenantId", "orderId", "customerId", "status"::text AS "status", "carrier", "trackingNumber", "shippedAt", "deliveredAt", "createdAt", "updatedAt"`,
      randomUUID(), this.tenantId, shipment.orderId, shipment.customerId, shipment.carrier, shipment.trackingNumber,
    );
    return created ?? null;
  }

  /** Conditional move (one UPDATE … RETURNING); null when the shipment was not in one of `from`. */
  async move(id: string, from: readonly ShipmentStatus[], to: ShipmentStatus): Promise<Shipment | null> {
    const now = new Date();
    const [shipment] = await this.db.shipment.updateManyAndReturn({
      where: { tenantId: this.tenantId, id, status: { in: [...from] } },
      data: { status: to, ...(to === 'SHIPPED' ? { shippedAt: now } : {}), ...(to === 'DELIVERED' ? { deliveredAt: now } : {}) },
    });
    return shipment ?? null;
  }

  findByOrderIds(orderIds: readonly string[]): Promise<Shipment[]> {
    return this.db.shipment.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } } });
  }
}
