import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '#platform/errors';
import type { Identity } from '#platform/auth';
import type { AccountsDb } from '../db.js';
import { InvalidCredentialsError, InvalidRefreshTokenError, RefreshTokenReusedError } from '../errors.js';
import type { User } from '../generated/prisma/client.js';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository.js';
import { TenantRepository } from '../repositories/tenant.repository.js';
import { UserRepository } from '../repositories/user.repository.js';
import { verifyPassword } from './password-hasher.js';
import type { IssuedToken, TokenService } from './token.service.js';

export interface LoginInput {
  tenant: string;
  email: string;
  password: string;
}

export interface Session extends IssuedToken {
  refreshToken: string;
  refreshExpiresAt: Date;
  user: User;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** `<id>.<secret>`: the id finds the row, the secret (32 random bytes) proves possession; only its hash is stored. */
function parseRefreshToken(token: string): { id: string; secret: string } | null {
  const [id, secret, ...rest] = token.split('.');
  return id && secret && rest.length === 0 && UUID.test(id) && /^[A-Za-z0-9_-]{43}$/.test(secret) ? { id, secret } : null;
}

/**
 * Sign-in, refresh and sign-out. Login and refresh run without a caller: the tenant comes from the
 * login itself or from the refresh token's row. A session is a family of refresh tokens: each
 * refresh spends one and issues the next; a spent one coming back ends the session.
 */
export class AuthService {
  constructor(
    private readonly db: AccountsDb,
    private readonly tokens: TokenService,
    private readonly refreshTtlSeconds: number,
  ) {}

  async login(input: LoginInput): Promise<Session> {
    const slug = input.tenant.trim().toLowerCase();
    const email = input.email.trim().toLowerCase();
    if (!slug) throw new ValidationError('tenant', 'tenant must not be empty.');
    if (!email) throw new ValidationError('email', 'email must not be empty.');
    if (!input.password) throw new ValidationError('password', 'password must not be empty.');
    if (input.password.length > 1024) throw new ValidationError('password', 'password is too long.');

    const tenant = await new TenantRepository(this.db).findBySlug(slug);
    const user = tenant ? await new UserRepository(this.db, tenant.id).findByEmail(email) : null;
    // Always one scrypt run, whether or not the account exists.
    const ok = await verifyPassword(input.password, user?.passwordHash ?? null);
    if (!user || !ok) throw new InvalidCredentialsError();
    const now = new Date();
    await new RefreshTokenRepository(this.db).deleteExpired(user.tenantId, user.id, now);
    return this.openSession(new RefreshTokenRepository(this.db), user, randomUUID(), now);
  }

  async refresh(token: string): Promise<Session> {
    const parsed = parseRefreshToken(token.trim());
    if (!parsed) throw new InvalidRefreshTokenError();
    const refreshTokens = new RefreshTokenRepository(this.db);
    const row = await refreshTokens.findById(parsed.id);
    const given = Buffer.from(digest(parsed.secret), 'hex');
    if (!row || !timingSafeEqual(given, Buffer.from(row.tokenHash, 'hex'))) throw new InvalidRefreshTokenError();
    if (row.revokedAt) throw new InvalidRefreshTokenError();
    const now = new Date();
    if (row.usedAt) throw await this.endForReuse(refreshTokens, row.tenantId, row.sessionId, now);
    if (row.expiresAt <= now) throw new InvalidRefreshTokenError();

    const outcome = await this.db.$transaction(async (tx) => {
      const repository = new RefreshTokenRepository(tx);
      if (!(await repository.spend(row, now))) return 'lost-race' as const;
      const [user] = await new UserRepository(tx, row.tenantId).findByIds([row.userId]);
      if (!user) return 'no-user' as const;
      return this.openSession(repository, user, row.sessionId, now);
    });
    // Two refreshes with one token: only one can be the owner's, so the session ends.
    if (outcome === 'lost-race') throw await this.endForReuse(refreshTokens, row.tenantId, row.sessionId, now);
    if (outcome === 'no-user') throw new InvalidRefreshTokenError();
    return outcome;
  }

  /** Ends the caller's session: its refresh tokens at once; the gateway refuses its access tokens. */
  async logout(caller: Identity): Promise<boolean> {
    if (caller.sessionId) await new RefreshTokenRepository(this.db).revokeSession(caller.tenantId, caller.sessionId, new Date());
    return true;
  }

  private async endForReuse(refreshTokens: RefreshTokenRepository, tenantId: string, sessionId: string, now: Date): Promise<RefreshTokenReusedError> {
    await refreshTokens.revokeSession(tenantId, sessionId, now);
    return new RefreshTokenReusedError(sessionId);
  }

  private async openSession(refreshTokens: RefreshTokenRepository, user: User, sessionId: string, now: Date): Promise<Session> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + this.refreshTtlSeconds * 1000);
    await refreshTokens.create({ id, tenantId: user.tenantId, userId: user.id, sessionId, tokenHash: digest(secret), expiresAt: refreshExpiresAt });
    return { ...(await this.tokens.issue(user, sessionId)), refreshToken: `${id}.${secret}`, refreshExpiresAt, user };
  }
}
