import type { ShippingClient } from '../db.js';
import type { Shipment } from '../generated/prisma/client.js';

/** Shipments of one tenant; the tenant is fixed at construction and part of every query. */
export class ShipmentRepository {
  constructor(
    private readonly db: ShippingClient,
    private readonly tenantId: string,
  ) {}

  findByIds(ids: readonly string[]): Promise<Shipment[]> {
    return this.db.shipment.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  findByOrderIds(orderIds: readonly string[]): Promise<Shipment[]> {
    return this.db.shipment.findMany({ where: { tenantId: this.tenantId, orderId: { in: [...orderIds] } } });
  }
}
