import type { ShipmentResolvers } from '../generated/graphql.js';

export const Shipment: ShipmentResolvers = {
  __resolveReference: (ref, ctx) => ctx.services.shipments.byId(ctx, ref.id),
};
