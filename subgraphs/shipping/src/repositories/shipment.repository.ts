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
    const [created] = await this.db.shipment.createManyAndReturn({ data: [{ ...shipment, tenantId: this.tenantId, status: 'PENDING' }], skipDuplicates: true });
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
