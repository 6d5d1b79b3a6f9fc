import type { Tenant, User } from './generated/prisma/client.js';

/** Parent types of the GraphQL types (see tools/codegen.ts): resolvers receive these rows. */
export type UserModel = User;
export type TenantModel = Tenant;
