import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  updateShipmentStatus: (_parent, args, ctx) => ctx.fulfilment.updateStatus(args.id, args.status),
};
