import type { AccountsClient } from '../db.js';
import type { RefreshToken } from '../generated/prisma/client.js';

/** Refresh tokens of one tenant; the tenant is fixed at construction and part of every query. */
export class RefreshTokenRepository {
  constructor(
    private readonly db: AccountsClient,
    private readonly tenantId: string,
  ) {}

  async create(token: Pick<RefreshToken, 'id' | 'userId' | 'sessionId' | 'tokenHash' | 'expiresAt'>): Promise<void> {
    await this.db.refreshToken.create({ data: { ...token, tenantId: this.tenantId } });
  }

  /** Marks the token spent; false when it already was, or was revoked (a concurrent refresh won). */
  async spend(id: string, at: Date): Promise<boolean> {
    const { count } = await this.db.refreshToken.updateMany({ where: { id, tenantId: this.tenantId, usedAt: null, revokedAt: null }, data: { usedAt: at } });
    return count === 1;
  }

  /** Revokes every token of the session not revoked yet; returns how many. */
  async revokeSession(sessionId: string, at: Date): Promise<number> {
    const { count } = await this.db.refreshToken.updateMany({ where: { tenantId: this.tenantId, sessionId, revokedAt: null }, data: { revokedAt: at } });
    return count;
  }

  /** Whether the session is this user's (any of its tokens, spent or revoked, still stored). */
  async isSessionOf(sessionId: string, userId: string): Promise<boolean> {
    return (await this.db.refreshToken.findFirst({ where: { tenantId: this.tenantId, sessionId, userId }, select: { id: true } })) !== null;
  }

  /** Forgets a user's tokens that expired before `before`: nothing can use them any more. */
  async deleteExpired(userId: string, before: Date): Promise<void> {
    await this.db.refreshToken.deleteMany({ where: { tenantId: this.tenantId, userId, expiresAt: { lt: before } } });
  }
}

/**
 * The one read of refresh tokens without a tenant: a refresh request has no caller yet, and the
 * row itself names its tenant, which every later step is scoped by.
 */
export class RefreshTokenDirectory {
  constructor(private readonly db: AccountsClient) {}

  findById(id: string): Promise<RefreshToken | null> {
    return this.db.refreshToken.findUnique({ where: { id } });
  }
}
