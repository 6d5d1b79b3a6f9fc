import type { AccountsClient } from '../db.js';
import type { Tenant } from '../generated/prisma/client.js';

/** Tenants are the one table not owned by a tenant; reads only. */
export class TenantRepository {
  constructor(private readonly db: AccountsClient) {}

  findBySlug(slug: string): Promise<Tenant | null> {
    return this.db.tenant.findUnique({ where: { slug } });
  }

  findByIds(ids: readonly string[]): Promise<Tenant[]> {
    return this.db.tenant.findMany({ where: { id: { in: [...ids] } } });
  }
}
