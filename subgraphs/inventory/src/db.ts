import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PRISMA_CLIENT_OPTIONS } from '#platform/db';
import { PrismaClient } from './generated/prisma/client.js';
import type { Prisma } from './generated/prisma/client.js';

/** The one place the inventory Prisma client is made. */
export function createInventoryDb(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({ adapter, ...PRISMA_CLIENT_OPTIONS });
}

export type InventoryDb = ReturnType<typeof createInventoryDb>;
export type InventoryTx = Prisma.TransactionClient;
export type InventoryClient = InventoryDb | InventoryTx;
