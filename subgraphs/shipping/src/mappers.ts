import type { Shipment } from './generated/prisma/client.js';

/** Parent types of the GraphQL types (see tools/codegen.ts). */
export type ShipmentModel = Shipment;
/** Shipping knows an order by id only. */
export type OrderModel = { id: string };
