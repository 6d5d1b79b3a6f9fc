import type { Identity } from '../../../kernel/src/identity.js';
import { isId } from '../../../kernel/src/validation.js';
import type { ShippingContextScope } from '../context.js';
import type { Shipment } from '../generated/prisma/client.js';

/** Customers see the shipments of their own orders; admins every shipment of their tenant. */
function canSee(caller: Identity, shipment: Pick<Shipment, 'customerId'>): boolean {
  return caller.role === 'ADMIN' || shipment.customerId === caller.userId;
}

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
