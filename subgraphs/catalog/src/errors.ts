import { ConflictError } from '#platform/errors';

export class DuplicateSkuError extends ConflictError {
  constructor(sku: string) {
    super(`A product with sku "${sku}" already exists.`, { field: 'input.sku' });
  }
}
