import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AccountEvents } from '#contracts';
import { ValidationError } from '#platform/errors';
import { createEvent } from '#platform/events';
import type { AccountsContext } from '../context.js';
import { InvalidCredentialsError, InvalidRefreshTokenError, RefreshTokenReusedError } from '../errors.js';
import type { User } from '../generated/prisma/client.js';
import type { RefreshTokenRepository } from '../repositories/refresh-token.repository.js';
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
    private readonly tokens: TokenService,
    private readonly refreshTtlSeconds: number,
  ) {}

  async login(ctx: AccountsContext, input: LoginInput): Promise<Session> {
    const slug = input.tenant.trim().toLowerCase();
    const email = input.email.trim().toLowerCase();
    if (!slug) throw new ValidationError('tenant', 'tenant must not be empty.');
    if (!email) throw new ValidationError('email', 'email must not be empty.');
    // PostgreSQL text cannot hold NUL: refuse it as input instead of failing in the look-up.
    if (slug.includes('\u0000')) throw new ValidationError('tenant', 'tenant must not contain NUL characters.');
    if (email.includes('\u0000')) throw new ValidationError('email', 'email must not contain NUL characters.');
    if (!input.password) throw new ValidationError('password', 'password must not be empty.');
    if (input.password.length > 1024) throw new ValidationError('password', 'password is too long.');

    const tenant = await ctx.directory.tenants.findBySlug(slug);
    // Sign-in is where a tenant comes from an argument: the one the caller names, checked by the password.
    const inTenant = tenant ? ctx.forTenant(tenant.id) : null;
    const user = inTenant ? await inTenant.repos.users.findByEmail(email) : null;
    // Always one scrypt run, whether or not the account exists.
    const ok = await verifyPassword(input.password, user?.passwordHash ?? null);
    if (!inTenant || !user || !ok) throw new InvalidCredentialsError();
    const now = new Date();
    await inTenant.repos.refreshTokens.deleteExpired(user.id, now);
    return this.openSession(inTenant.repos.refreshTokens, user, randomUUID(), now);
  }

  async refresh(ctx: AccountsContext, token: string): Promise<Session> {
    const parsed = parseRefreshToken(token.trim());
    if (!parsed) throw new InvalidRefreshTokenError();
    const row = await ctx.directory.refreshTokens.findById(parsed.id);
    const given = Buffer.from(digest(parsed.secret), 'hex');
    if (!row || !timingSafeEqual(given, Buffer.from(row.tokenHash, 'hex'))) throw new InvalidRefreshTokenError();
    if (row.revokedAt) throw new InvalidRefreshTokenError();
    // From here on, the tenant is the one the token's own row names.
    const inTenant = ctx.forTenant(row.tenantId);
    const now = new Date();
    if (row.usedAt) throw await this.endForReuse(inTenant, row.sessionId, row.userId, now);
    if (row.expiresAt <= now) throw new InvalidRefreshTokenError();

    const outcome = await inTenant.transaction(async (tx) => {
      if (!(await tx.repos.refreshTokens.spend(row.id, now))) return 'lost-race' as const;
      const [user] = await tx.repos.users.findByIds([row.userId]);
      if (!user) return 'no-user' as const;
      return this.openSession(tx.repos.refreshTokens, user, row.sessionId, now);
    });
    // Two refreshes with one token: only one can be the owner's, so the session ends.
    if (outcome === 'lost-race') throw await this.endForReuse(inTenant, row.sessionId, row.userId, now);
    if (outcome === 'no-user') throw new InvalidRefreshTokenError();
    return outcome;
  }

  /**
   * Ends the caller's session: its refresh tokens are revoked and `accounts.session.ended` commits
   * with them, so every gateway refuses its access tokens (the one answering, before it answers).
   */
  async logout(ctx: AccountsContext): Promise<boolean> {
    const { sessionId, userId } = ctx.caller;
    // The session id comes from a signed token; still, only a session of the caller's own is ended.
    if (sessionId && (await ctx.repos.refreshTokens.isSessionOf(sessionId, userId))) await this.endSession(ctx, sessionId, userId, 'logout', new Date());
    return true;
  }

  private async endForReuse(ctx: AccountsContext, sessionId: string, userId: string, now: Date): Promise<RefreshTokenReusedError> {
    await this.endSession(ctx, sessionId, userId, 'refresh-token-reused', now);
    return new RefreshTokenReusedError(sessionId);
  }

  /** The one place a session ends: revocation and its event in one transaction. */
  private async endSession(ctx: AccountsContext, sessionId: string, userId: string, reason: 'logout' | 'refresh-token-reused', now: Date): Promise<void> {
    await ctx.transaction(async (tx) => {
      await tx.repos.refreshTokens.revokeSession(sessionId, now);
      await tx.emit(createEvent(AccountEvents.sessionEnded, { tenantId: tx.tenantId, aggregateId: sessionId, payload: { sessionId, userId, reason } }));
    });
  }

  private async openSession(refreshTokens: RefreshTokenRepository, user: User, sessionId: string, now: Date): Promise<Session> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + this.refreshTtlSeconds * 1000);
    await refreshTokens.create({ id, userId: user.id, sessionId, tokenHash: digest(secret), expiresAt: refreshExpiresAt });
    return { ...(await this.tokens.issue(user, sessionId)), refreshToken: `${id}.${secret}`, refreshExpiresAt, user };
  }
}
