import { canSeeCustomerRecord as canSee } from '#platform/auth';
import { isId } from '#platform/errors';
import type { ShippingContextScope } from '../context.js';
import type { Shipment } from '../generated/prisma/client.js';

export class ShipmentQueryService {
  constructor(private readonly scope: ShippingContextScope) {}

  async byId(id: string): Promise<Shipment | null> {
    const { caller, loaders } = this.scope();
    const shipment = isId(id) ? await loaders.shipmentById.load(id.toLowerCase()) : null;
    return shipment && canSee(caller, shipment) ? shipment : null;
  }

  async ofOrder(orderId: string): Promise<Shipment | null> {
    const { caller, loaders } = this.scope();
    const shipment = isId(orderId) ? await loaders.shipmentByOrderId.load(orderId.toLowerCase()) : null;
    return shipment && canSee(caller, shipment) ? shipment : null;
  }
}
