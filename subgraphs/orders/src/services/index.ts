import { OrderCommandService } from './order-command.service.js';
import { OrderQueryService } from './order-query.service.js';
import { OrderSagaService } from './order-saga.service.js';
import { PriceListService } from './price-list.service.js';

/** Orders' services, made once per process; every method takes the request context first. */
export function createOrdersServices() {
  return {
    orders: new OrderQueryService(),
    checkout: new OrderCommandService(),
    saga: new OrderSagaService(),
    priceList: new PriceListService(),
  };
}

export type OrdersServices = ReturnType<typeof createOrdersServices>;
