import type { AccountsClient } from '../db.js';
import type { RefreshToken } from '../generated/prisma/client.js';

/**
 * Refresh tokens. `findById` is the one read without a tenant: a refresh request has no caller
 * yet, and the row itself names its tenant. Every write is scoped by that tenant.
 */
export class RefreshTokenRepository {
  constructor(private readonly db: AccountsClient) {}

  findById(id: string): Promise<RefreshToken | null> {
    return this.db.refreshToken.findUnique({ where: { id } });
  }

  async create(token: Pick<RefreshToken, 'id' | 'tenantId' | 'userId' | 'sessionId' | 'tokenHash' | 'expiresAt'>): Promise<void> {
    await this.db.refreshToken.create({ data: token });
  }

  /** Marks the token spent; false when it already was, or was revoked (a concurrent refresh won). */
  async spend(token: Pick<RefreshToken, 'id' | 'tenantId'>, at: Date): Promise<boolean> {
    const { count } = await this.db.refreshToken.updateMany({ where: { id: token.id, tenantId: token.tenantId, usedAt: null, revokedAt: null }, data: { usedAt: at } });
    return count === 1;
  }

  /** Revokes every token of the session not revoked yet; returns how many. */
  async revokeSession(tenantId: string, sessionId: string, at: Date): Promise<number> {
    const { count } = await this.db.refreshToken.updateMany({ where: { tenantId, sessionId, revokedAt: null }, data: { revokedAt: at } });
    return count;
  }

  /** Forgets a user's tokens that expired before `before`: nothing can use them any more. */
  async deleteExpired(tenantId: string, userId: string, before: Date): Promise<void> {
    await this.db.refreshToken.deleteMany({ where: { tenantId, userId, expiresAt: { lt: before } } });
  }
}
