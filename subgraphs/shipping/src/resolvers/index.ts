import { DateTime } from '#platform/subgraph';
import type { Resolvers } from '../generated/graphql.js';
import { Mutation } from './Mutation.js';
import { Order } from './Order.js';
import { Shipment } from './Shipment.js';

export const resolvers: Resolvers = { DateTime, Mutation, Order, Shipment };
