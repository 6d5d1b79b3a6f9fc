import type { CatalogClient } from '../db.js';
import type { Category } from '../generated/prisma/client.js';

export class CategoryRepository {
  constructor(
    private readonly db: CatalogClient,
    private readonly tenantId: string,
  ) {}

  findByIds(ids: readonly string[]): Promise<Category[]> {
    return this.db.category.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  all(): Promise<Category[]> {
    return this.db.category.findMany({ where: { tenantId: this.tenantId }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  }
}
