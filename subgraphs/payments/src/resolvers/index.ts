import { DateTime } from '#platform/subgraph';
import type { Resolvers } from '../generated/graphql.js';
import { Order } from './Order.js';
import { Payment } from './Payment.js';

export const resolvers: Resolvers = { DateTime, Order, Payment };
