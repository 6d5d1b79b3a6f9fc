import type { AccountsClient } from '../db.js';
import type { User } from '../generated/prisma/client.js';

/** Users of one tenant: every query carries the tenant given at construction. */
export class UserRepository {
  constructor(
    private readonly db: AccountsClient,
    private readonly tenantId: string,
  ) {}

  findByEmail(email: string): Promise<User | null> {
    return this.db.user.findUnique({ where: { tenantId_email: { tenantId: this.tenantId, email } } });
  }

  findByIds(ids: readonly string[]): Promise<User[]> {
    return this.db.user.findMany({ where: { tenantId: this.tenantId, id: { in: [...ids] } } });
  }

  /** Newest first, keyset on (createdAt, id). */
  page(size: number, after: { createdAt: Date; id: string } | null): Promise<User[]> {
    return this.db.user.findMany({
      where: {
        tenantId: this.tenantId,
        ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: size + 1,
    });
  }

  count(): Promise<number> {
    return this.db.user.count({ where: { tenantId: this.tenantId } });
  }
}
