import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PRISMA_CLIENT_OPTIONS } from '#platform/db';
import { PrismaClient } from './generated/prisma/client.js';
import type { Prisma } from './generated/prisma/client.js';

/** The one place the accounts Prisma client is made. */
export function createAccountsDb(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({ adapter, ...PRISMA_CLIENT_OPTIONS });
}

export type AccountsDb = ReturnType<typeof createAccountsDb>;
export type AccountsTx = Prisma.TransactionClient;
/** A client or a transaction: repositories work with either. */
export type AccountsClient = AccountsDb | AccountsTx;
