import type { Payment } from './generated/prisma/client.js';

/** Parent types of the GraphQL types (see tools/codegen.ts). */
export type PaymentModel = Payment;
/** Payments knows an order by id only. */
export type OrderModel = { id: string };
