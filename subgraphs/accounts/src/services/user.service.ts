import { requireIdentity, requireRole } from '../../../kernel/src/access.js';
import { NotFoundError } from '../../../kernel/src/errors.js';
import type { Identity } from '../../../kernel/src/identity.js';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../../kernel/src/pagination.js';
import type { Tenant, User } from '../generated/prisma/client.js';
import type { AccountsLoaders } from '../loaders/index.js';
import type { UserRepository } from '../repositories/user.repository.js';

/** Who may see which user: customers themselves only, admins everyone of their tenant. */
export class UserService {
  constructor(
    private readonly identity: Identity | null,
    private readonly users: UserRepository | null,
    private readonly loaders: AccountsLoaders,
  ) {}

  async me(): Promise<User> {
    const caller = requireIdentity(this.identity);
    const user = await this.loaders.userById.load(caller.userId);
    if (!user) throw new NotFoundError('User', caller.userId);
    return user;
  }

  /** Entity reference from another subgraph (e.g. Order.customer); null when the caller may not see it. */
  async byReference(id: string): Promise<User | null> {
    const caller = requireIdentity(this.identity);
    if (caller.role !== 'ADMIN' && id !== caller.userId) return null;
    return this.loaders.userById.load(id);
  }

  async list(first: number | null | undefined, after: string | null | undefined): Promise<Connection<User>> {
    requireRole(this.identity, 'ADMIN');
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const users = this.users!;
    const [rows, total] = await Promise.all([
      users.page(size, cursor ? { createdAt: new Date(cursor[0] as string), id: cursor[1] as string } : null),
      users.count(),
    ]);
    return toConnection(rows, size, total, (u) => [u.createdAt.toISOString(), u.id]);
  }

  async tenantOf(user: Pick<User, 'tenantId'>): Promise<Tenant> {
    const tenant = await this.loaders.tenantById.load(user.tenantId);
    if (!tenant) throw new NotFoundError('Tenant', user.tenantId);
    return tenant;
  }

  async currentTenant(): Promise<Tenant> {
    const caller = requireIdentity(this.identity);
    return this.tenantOf({ tenantId: caller.tenantId });
  }

  /** Tenant reference from another subgraph: only the caller's own tenant resolves. */
  async tenantByReference(id: string): Promise<Tenant | null> {
    const caller = requireIdentity(this.identity);
    return id === caller.tenantId ? this.loaders.tenantById.load(id) : null;
  }
}
