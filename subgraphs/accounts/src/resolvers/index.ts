import type { Resolvers } from '../generated/graphql.js';
import { DateTime } from '#platform/subgraph';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Tenant } from './Tenant.js';
import { User } from './User.js';

export const resolvers: Resolvers = { DateTime, Query, Mutation, User, Tenant };
