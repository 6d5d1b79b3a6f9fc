import { requireRole } from '#platform/auth';
import { NotFoundError } from '#platform/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '#platform/subgraph';
import type { AccountsContext } from '../context.js';
import type { Tenant, User } from '../generated/prisma/client.js';

/** Who may see which user: customers themselves only, admins everyone of their tenant. */
export class UserService {
  async me(ctx: AccountsContext): Promise<User> {
    const { userId } = ctx.caller;
    const user = await ctx.loaders.userById.load(userId);
    if (!user) throw new NotFoundError('User', userId);
    return user;
  }

  /** Entity reference from another subgraph (e.g. Order.customer); null when the caller may not see it. */
  async byReference(ctx: AccountsContext, id: string): Promise<User | null> {
    const { caller } = ctx;
    if (caller.role !== 'ADMIN' && id !== caller.userId) return null;
    return ctx.loaders.userById.load(id);
  }

  async list(ctx: AccountsContext, first: number | null | undefined, after: string | null | undefined): Promise<Connection<User>> {
    requireRole(ctx.caller, 'ADMIN');
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const [rows, total] = await Promise.all([
      ctx.repos.users.page(size, cursor ? { createdAt: new Date(cursor[0] as string), id: cursor[1] as string } : null),
      ctx.repos.users.count(),
    ]);
    return toConnection(rows, size, total, (u) => [u.createdAt.toISOString(), u.id]);
  }

  async tenantOf(ctx: AccountsContext, user: Pick<User, 'tenantId'>): Promise<Tenant> {
    const tenant = await ctx.loaders.tenantById.load(user.tenantId);
    if (!tenant) throw new NotFoundError('Tenant', user.tenantId);
    return tenant;
  }

  async currentTenant(ctx: AccountsContext): Promise<Tenant> {
    return this.tenantOf(ctx, { tenantId: ctx.caller.tenantId });
  }

  /** Tenant reference from another subgraph: only the caller's own tenant resolves. */
  async tenantByReference(ctx: AccountsContext, id: string): Promise<Tenant | null> {
    return id === ctx.caller.tenantId ? ctx.loaders.tenantById.load(id) : null;
  }
}
