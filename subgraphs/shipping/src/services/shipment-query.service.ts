import { canSeeCustomerRecord as canSee } from '#platform/auth';
import { isId } from '#platform/errors';
import type { ShippingContext } from '../context.js';
import type { Shipment } from '../generated/prisma/client.js';

/** Reads of shipments, through the caller's visibility: customers their own, admins their tenant's. */
export class ShipmentQueryService {
  async byId(ctx: ShippingContext, id: string): Promise<Shipment | null> {
    const shipment = isId(id) ? await ctx.loaders.shipmentById.load(id.toLowerCase()) : null;
    return shipment && canSee(ctx.caller, shipment) ? shipment : null;
  }

  async ofOrder(ctx: ShippingContext, orderId: string): Promise<Shipment | null> {
    const shipment = isId(orderId) ? await ctx.loaders.shipmentByOrderId.load(orderId.toLowerCase()) : null;
    return shipment && canSee(ctx.caller, shipment) ? shipment : null;
  }
}
