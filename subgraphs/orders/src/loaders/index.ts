import { loaderById, loaderOfChildren } from '#platform/subgraph';
import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { OrderRepository } from '../repositories/order.repository.js';

/** Per-request loaders, made with every context. */
export function createOrdersLoaders(repos: { orders: OrderRepository }) {
  return {
    orderById: loaderById<Order>((ids) => repos.orders.findByIds(ids), (o) => o.id),
    itemsByOrderId: loaderOfChildren<OrderItem>((ids) => repos.orders.itemsOf(ids), (i) => i.orderId),
  };
}

export type OrdersLoaders = ReturnType<typeof createOrdersLoaders>;
