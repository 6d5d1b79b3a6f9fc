import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PRISMA_CLIENT_OPTIONS } from '#platform/db';
import { PrismaClient } from './generated/prisma/client.js';
import type { Prisma } from './generated/prisma/client.js';

/** The one place the shipping Prisma client is made. */
export function createShippingDb(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({ adapter, ...PRISMA_CLIENT_OPTIONS });
}

export type ShippingDb = ReturnType<typeof createShippingDb>;
export type ShippingTx = Prisma.TransactionClient;
export type ShippingClient = ShippingDb | ShippingTx;
