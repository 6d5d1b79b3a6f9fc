import type { Order, OrderItem } from './generated/prisma/client.js';

/** Parent types of the GraphQL types (see tools/codegen.ts). */
export type OrderModel = Order;
export type OrderItemModel = OrderItem;
/** Orders knows a user by id only. */
export type UserModel = { id: string };
