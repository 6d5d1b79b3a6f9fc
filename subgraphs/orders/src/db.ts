import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PRISMA_CLIENT_OPTIONS } from '#platform/db';
import { PrismaClient } from './generated/prisma/client.js';
import type { Prisma } from './generated/prisma/client.js';

/** The one place the orders Prisma client is made. */
export function createOrdersDb(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({ adapter, ...PRISMA_CLIENT_OPTIONS });
}

export type OrdersDb = ReturnType<typeof createOrdersDb>;
export type OrdersTx = Prisma.TransactionClient;
export type OrdersClient = OrdersDb | OrdersTx;
