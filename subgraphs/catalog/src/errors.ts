import { ConflictError } from '#platform/errors';

export class DuplicateSkuError extends ConflictError {
  constructor(sku: string) {
    super(`A product with sku "${sku}" already exists.`, { field: 'input.sku' });
  }
}

/** The tenant was set up without a currency (catalog.TenantCurrency): no price can be written yet. */
export class TenantWithoutCurrencyError extends ConflictError {
  constructor() {
    super('This shop has no currency set up yet, so no price can be written.');
  }
}
