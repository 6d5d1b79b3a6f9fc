import { requireRole } from '#platform/auth';
import { NotFoundError } from '#platform/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '#platform/subgraph';
import type { Tenant, User } from '../generated/prisma/client.js';
import type { AccountsContextScope } from '../context.js';

/** Who may see which user: customers themselves only, admins everyone of their tenant. */
export class UserService {
  constructor(private readonly scope: AccountsContextScope) {}

  async me(): Promise<User> {
    const { caller, loaders } = this.scope();
    const user = await loaders.userById.load(caller.userId);
    if (!user) throw new NotFoundError('User', caller.userId);
    return user;
  }

  /** Entity reference from another subgraph (e.g. Order.customer); null when the caller may not see it. */
  async byReference(id: string): Promise<User | null> {
    const { caller, loaders } = this.scope();
    if (caller.role !== 'ADMIN' && id !== caller.userId) return null;
    return loaders.userById.load(id);
  }

  async list(first: number | null | undefined, after: string | null | undefined): Promise<Connection<User>> {
    const { caller, users } = this.scope();
    requireRole(caller, 'ADMIN');
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const [rows, total] = await Promise.all([
      users.page(size, cursor ? { createdAt: new Date(cursor[0] as string), id: cursor[1] as string } : null),
      users.count(),
    ]);
    return toConnection(rows, size, total, (u) => [u.createdAt.toISOString(), u.id]);
  }

  async tenantOf(user: Pick<User, 'tenantId'>): Promise<Tenant> {
    const tenant = await this.scope().loaders.tenantById.load(user.tenantId);
    if (!tenant) throw new NotFoundError('Tenant', user.tenantId);
    return tenant;
  }

  async currentTenant(): Promise<Tenant> {
    return this.tenantOf({ tenantId: this.scope().caller.tenantId });
  }

  /** Tenant reference from another subgraph: only the caller's own tenant resolves. */
  async tenantByReference(id: string): Promise<Tenant | null> {
    const { caller, loaders } = this.scope();
    return id === caller.tenantId ? loaders.tenantById.load(id) : null;
  }
}
