import { type RequestScope, type SubgraphRuntime, tenantScope } from '#platform/subgraph';
import type { OrdersDb, OrdersTx } from './db.js';
import { createOrdersLoaders } from './loaders/index.js';
import { OrderRepository } from './repositories/order.repository.js';
import { OrderCommandService } from './services/order-command.service.js';
import { OrderQueryService } from './services/order-query.service.js';

export type OrdersRuntime = SubgraphRuntime<OrdersDb, OrdersTx>;

function makeScope(scope: RequestScope, runtime: OrdersRuntime) {
  return tenantScope(scope.identity, (caller) => {
    const orders = new OrderRepository(runtime.db, caller.tenantId);
    return { orders, loaders: createOrdersLoaders({ orders }) };
  });
}

export type OrdersContextScope = ReturnType<typeof makeScope>;

export function createOrdersContext(scope: RequestScope, runtime: OrdersRuntime) {
  const tenant = makeScope(scope, runtime);
  return { ...scope, orders: new OrderQueryService(tenant), checkout: new OrderCommandService(tenant, runtime) };
}

export type OrdersContext = ReturnType<typeof createOrdersContext>;
