import { type RequestScope, type SubgraphRuntime, tenantScope } from '#platform/subgraph';
import type { ShippingDb, ShippingTx } from './db.js';
import { createShippingLoaders } from './loaders/index.js';
import { ShipmentRepository } from './repositories/shipment.repository.js';
import { FulfilmentService } from './services/fulfilment.service.js';
import { ShipmentQueryService } from './services/shipment-query.service.js';

export type ShippingRuntime = SubgraphRuntime<ShippingDb, ShippingTx>;

function makeScope(scope: RequestScope, runtime: ShippingRuntime) {
  return tenantScope(scope.identity, (caller) => {
    const shipments = new ShipmentRepository(runtime.db, caller.tenantId);
    return { shipments, loaders: createShippingLoaders({ shipments }) };
  });
}

export type ShippingContextScope = ReturnType<typeof makeScope>;

export function createShippingContext(scope: RequestScope, runtime: ShippingRuntime) {
  const tenant = makeScope(scope, runtime);
  return { ...scope, shipments: new ShipmentQueryService(tenant), fulfilment: new FulfilmentService(tenant, runtime) };
}

export type ShippingContext = ReturnType<typeof createShippingContext>;
