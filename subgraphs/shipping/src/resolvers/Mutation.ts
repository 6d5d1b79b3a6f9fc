import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  updateShipmentStatus: (_parent, args, ctx) => ctx.services.fulfilment.updateStatus(ctx, args.id, args.status),
};
