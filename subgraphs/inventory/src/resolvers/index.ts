import { DateTime } from '#platform/subgraph';
import type { Resolvers } from '../generated/graphql.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { Stock } from './Stock.js';

export const resolvers: Resolvers = { DateTime, Query, Mutation, Product, Stock };
