import { DateTime } from '#platform/subgraph';
import type { Resolvers } from '../generated/graphql.js';
import { Category } from './Category.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { DateTime, Query, Mutation, Product, Category };
