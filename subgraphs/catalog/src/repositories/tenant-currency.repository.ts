import type { CatalogClient } from '../db.js';

/** The currency of one tenant: every price it writes is in it. */
export class TenantCurrencyRepository {
  constructor(
    private readonly db: CatalogClient,
    private readonly tenantId: string,
  ) {}

  /** The tenant's ISO 4217 code, or null when the tenant was never set up with one. */
  async get(): Promise<string | null> {
    return (await this.db.tenantCurrency.findUnique({ where: { tenantId: this.tenantId } }))?.currency ?? null;
  }
}
