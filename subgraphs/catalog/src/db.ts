import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PRISMA_CLIENT_OPTIONS } from '#platform/db';
import { PrismaClient } from './generated/prisma/client.js';
import type { Prisma } from './generated/prisma/client.js';

/** The one place the catalog Prisma client is made. */
export function createCatalogDb(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({ adapter, ...PRISMA_CLIENT_OPTIONS });
}

export type CatalogDb = ReturnType<typeof createCatalogDb>;
export type CatalogTx = Prisma.TransactionClient;
export type CatalogClient = CatalogDb | CatalogTx;
