import { ConflictError } from '../../kernel/src/errors.js';

export class DuplicateSkuError extends ConflictError {
  constructor(sku: string) {
    super(`A product with sku "${sku}" already exists.`, { field: 'input.sku' });
  }
}
