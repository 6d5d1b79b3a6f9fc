import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PRISMA_CLIENT_OPTIONS } from '#platform/db';
import { PrismaClient } from './generated/prisma/client.js';
import type { Prisma } from './generated/prisma/client.js';

/** The one place the payments Prisma client is made. */
export function createPaymentsDb(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({ adapter, ...PRISMA_CLIENT_OPTIONS });
}

export type PaymentsDb = ReturnType<typeof createPaymentsDb>;
export type PaymentsTx = Prisma.TransactionClient;
export type PaymentsClient = PaymentsDb | PaymentsTx;
