import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '#platform/auth';
import { DEMO_PASSWORD } from '../../../prisma/demo-data.js';
import type { AccountsData } from '../../../subgraphs/accounts/src/context.js';
import type { AccountsServices } from '../../../subgraphs/accounts/src/services/index.js';
import { refusalOf } from '../../harness/errors.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';

let accounts: ServiceHarness<AccountsData, AccountsServices>;
const alice = identityOf(ACME, 'CUSTOMER');
const acmeAdmin = identityOf(ACME, 'ADMIN');
const globexAdmin = identityOf(GLOBEX, 'ADMIN');
const aliceEmail = ACME.users.find((u) => u.role === 'CUSTOMER')!.email;

beforeAll(async () => {
  accounts = await serviceHarness<AccountsData, AccountsServices>('accounts');
});

afterAll(async () => {
  await accounts.close();
});

const login = (input: { tenant: string; email: string; password: string }) => accounts.services.auth.login(accounts.as(null), input);
const signIn = () => login({ tenant: ACME.slug, email: aliceEmail, password: DEMO_PASSWORD });
const refresh = (token: string) => accounts.services.auth.refresh(accounts.as(null), token);

interface TokenRow {
  id: string;
  sessionId: string;
  usedAt: Date | null;
  revokedAt: Date | null;
}
const tokensOfSession = (sessionId: string) =>
  accounts.sql<TokenRow>(`SELECT "id", "sessionId", "usedAt", "revokedAt" FROM "accounts"."RefreshToken" WHERE "sessionId" = $1 ORDER BY "createdAt", "id"`, sessionId);
const idOf = (refreshToken: string) => refreshToken.split('.')[0]!;
const sessionOf = (accessToken: string) => decodeJwt(accessToken).sid as string;

describe('AuthService.login', () => {
  it('opens a session: an access token naming user, tenant, role and session, and a refresh token of which only a hash is kept', async () => {
    const session = await signIn();
    const claims = decodeJwt(session.token);
    expect(claims).toMatchObject({ sub: alice.userId, tid: ACME.id, role: 'CUSTOMER' });
    expect(session.user.id).toBe(alice.userId);
    const [row] = await accounts.sql<{ tokenHash: string; sessionId: string; tenantId: string }>(
      `SELECT "tokenHash", "sessionId", "tenantId" FROM "accounts"."RefreshToken" WHERE "id" = $1`, idOf(session.refreshToken),
    );
    expect(row).toMatchObject({ sessionId: claims.sid, tenantId: ACME.id });
    expect(row!.tokenHash).not.toContain(session.refreshToken.split('.')[1]);
  });

  it('refuses a wrong password, an unknown email, an unknown tenant and a user of another tenant alike', async () => {
    const refusals = await Promise.all([
      refusalOf(login({ tenant: ACME.slug, email: aliceEmail, password: 'not-the-password' })),
      refusalOf(login({ tenant: ACME.slug, email: 'nobody@acme.test', password: DEMO_PASSWORD })),
      refusalOf(login({ tenant: 'no-such-shop', email: aliceEmail, password: DEMO_PASSWORD })),
      refusalOf(login({ tenant: GLOBEX.slug, email: aliceEmail, password: DEMO_PASSWORD })),
    ]);
    expect(new Set(refusals.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(refusals[0]).toEqual({ code: 'UNAUTHENTICATED', message: 'The tenant, email or password is not right.' });
  });

  it('refuses an empty tenant, email or password and an oversized password as bad input, naming the field', async () => {
    const fieldOf = async (input: { tenant: string; email: string; password: string }) => {
      const refusal = await refusalOf(login(input));
      return [refusal.code, refusal.field];
    };
    expect(await fieldOf({ tenant: ' ', email: aliceEmail, password: DEMO_PASSWORD })).toEqual(['BAD_USER_INPUT', 'tenant']);
    expect(await fieldOf({ tenant: ACME.slug, email: '', password: DEMO_PASSWORD })).toEqual(['BAD_USER_INPUT', 'email']);
    expect(await fieldOf({ tenant: ACME.slug, email: aliceEmail, password: '' })).toEqual(['BAD_USER_INPUT', 'password']);
    expect(await fieldOf({ tenant: ACME.slug, email: aliceEmail, password: 'x'.repeat(1025) })).toEqual(['BAD_USER_INPUT', 'password']);
  });

  it('refuses a NUL character in the tenant or the email as bad input instead of failing in the database', async () => {
    expect(await refusalOf(login({ tenant: `${ACME.slug}\u0000`, email: aliceEmail, password: DEMO_PASSWORD }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenant' });
    expect(await refusalOf(login({ tenant: ACME.slug, email: `${aliceEmail}\u0000`, password: DEMO_PASSWORD }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  it("forgets the user's refresh tokens that have expired when they sign in again", async () => {
    const old = await signIn();
    await accounts.sql(`UPDATE "accounts"."RefreshToken" SET "expiresAt" = now() - interval '1 minute' WHERE "id" = $1`, idOf(old.refreshToken));
    await signIn();
    expect(await accounts.sql(`SELECT "id" FROM "accounts"."RefreshToken" WHERE "id" = $1`, idOf(old.refreshToken))).toEqual([]);
  });
});

describe('AuthService.refresh', () => {
  it('rotates: a new access and refresh token for the same session, and the old refresh token is spent', async () => {
    const first = await signIn();
    const next = await refresh(first.refreshToken);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(sessionOf(next.token)).toBe(sessionOf(first.token));
    expect(decodeJwt(next.token)).toMatchObject({ sub: alice.userId, tid: ACME.id, role: 'CUSTOMER' });
    const rows = await tokensOfSession(sessionOf(first.token));
    expect(rows.map((r) => [r.id, r.usedAt !== null, r.revokedAt !== null])).toEqual([
      [idOf(first.refreshToken), true, false],
      [idOf(next.refreshToken), false, false],
    ]);
  });

  it('ends the session when a spent refresh token comes back: REFRESH_TOKEN_REUSED, and every token of it is revoked', async () => {
    const first = await signIn();
    const next = await refresh(first.refreshToken);
    const sessionId = sessionOf(first.token);
    expect(await refusalOf(refresh(first.refreshToken))).toMatchObject({ code: 'REFRESH_TOKEN_REUSED', sessionId });
    expect((await tokensOfSession(sessionId)).every((r) => r.revokedAt !== null)).toBe(true);
    // The thief or the owner, whoever holds the newer token, has to sign in again.
    expect(await refusalOf(refresh(next.refreshToken))).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });

  it('leaves the other sessions of the user alone when one ends for reuse', async () => {
    const other = await signIn();
    const first = await signIn();
    await refresh(first.refreshToken);
    await refusalOf(refresh(first.refreshToken));
    expect(await refresh(other.refreshToken)).toMatchObject({ user: { id: alice.userId } });
  });

  it('gives one of two racing refreshes with one token a session, and then ends that session', async () => {
    const first = await signIn();
    const results = await Promise.allSettled([refresh(first.refreshToken), refresh(first.refreshToken)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as { extensions: { code: string } }).extensions.code)).toEqual(['REFRESH_TOKEN_REUSED']);
    expect((await tokensOfSession(sessionOf(first.token))).every((r) => r.revokedAt !== null)).toBe(true);
  });

  it('refuses a guessed secret for a real token id without ending its session', async () => {
    const session = await signIn();
    const guessed = `${idOf(session.refreshToken)}.${'A'.repeat(43)}`;
    expect(await refusalOf(refresh(guessed))).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect((await tokensOfSession(sessionOf(session.token))).some((r) => r.revokedAt !== null)).toBe(false);
    expect(await refresh(session.refreshToken)).toMatchObject({ user: { id: alice.userId } });
  });

  it('refuses malformed, unknown and expired refresh tokens with one code and message', async () => {
    const expired = await signIn();
    await accounts.sql(`UPDATE "accounts"."RefreshToken" SET "expiresAt" = now() - interval '1 second' WHERE "id" = $1`, idOf(expired.refreshToken));
    const refusals = await Promise.all(
      ['', 'garbage', `${randomUUID()}.${'b'.repeat(43)}`, `${idOf(expired.refreshToken)}.x.y`, expired.refreshToken].map((t) => refusalOf(refresh(t))),
    );
    expect(new Set(refusals.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(refusals[0]).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
  });
});

describe('AuthService.logout', () => {
  it("revokes the caller's session, so its refresh token stops working, and no other session", async () => {
    const ended = await signIn();
    const kept = await signIn();
    expect(await accounts.services.auth.logout(accounts.as(identityOf(ACME, 'CUSTOMER', sessionOf(ended.token))))).toBe(true);
    expect((await tokensOfSession(sessionOf(ended.token))).every((r) => r.revokedAt !== null)).toBe(true);
    expect(await refusalOf(refresh(ended.refreshToken))).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    expect(await refresh(kept.refreshToken)).toMatchObject({ user: { id: alice.userId } });
  });

  it('commits accounts.session.ended with the revocation, naming the session and its user', async () => {
    const ended = await signIn();
    const sessionId = sessionOf(ended.token);
    await accounts.services.auth.logout(accounts.as(identityOf(ACME, 'CUSTOMER', sessionId)));
    const events = (await accounts.outbox('accounts.session.ended')).filter((e) => e.aggregateId === sessionId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: ACME.id, payload: { sessionId, userId: alice.userId, reason: 'logout' } });
  });

  it('commits accounts.session.ended when a reused refresh token ends the session', async () => {
    const first = await signIn();
    const sessionId = sessionOf(first.token);
    await refresh(first.refreshToken);
    await refusalOf(refresh(first.refreshToken));
    const events = (await accounts.outbox('accounts.session.ended')).filter((e) => e.aggregateId === sessionId);
    expect(events.map((e) => e.payload)).toEqual([{ sessionId, userId: alice.userId, reason: 'refresh-token-reused' }]);
  });

  it("cannot end a session of another tenant's user, even when the caller names its id", async () => {
    const session = await signIn();
    const sessionId = sessionOf(session.token);
    await accounts.services.auth.logout(accounts.as({ ...globexAdmin, sessionId }));
    expect((await tokensOfSession(sessionId)).some((r) => r.revokedAt !== null)).toBe(false);
    expect((await accounts.outbox('accounts.session.ended')).filter((e) => e.aggregateId === sessionId)).toHaveLength(0);
  });

  it('refuses an anonymous caller', async () => {
    expect(await refusalOf(accounts.services.auth.logout(accounts.as(null)))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('UserService', () => {
  const users = () => accounts.services.users;

  it('shows a customer themselves and no one else', async () => {
    const ctx = accounts.as(alice);
    expect(await users().me(ctx)).toMatchObject({ id: alice.userId, email: aliceEmail, tenantId: ACME.id });
    expect(await users().byReference(ctx, alice.userId)).toMatchObject({ id: alice.userId });
    expect(await users().byReference(accounts.as(alice), acmeAdmin.userId)).toBeNull();
    expect(await refusalOf(users().list(ctx, 10, null))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("shows an admin every user of their tenant, and none of another tenant's", async () => {
    expect(await users().byReference(accounts.as(acmeAdmin), alice.userId)).toMatchObject({ id: alice.userId });
    expect(await users().byReference(accounts.as(globexAdmin), alice.userId)).toBeNull();
    const page = await users().list(accounts.as(globexAdmin), 10, null);
    expect(page.totalCount).toBe(GLOBEX.users.length);
    expect(page.edges.map((e) => e.node.tenantId)).toEqual(GLOBEX.users.map(() => GLOBEX.id));
  });

  it('pages through the users of a tenant with cursors, each user once', async () => {
    const ctx = accounts.as(acmeAdmin);
    const first = await users().list(ctx, 1, null);
    expect(first).toMatchObject({ totalCount: ACME.users.length, pageInfo: { hasNextPage: true } });
    const second = await users().list(ctx, 1, first.pageInfo.endCursor);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...first.edges, ...second.edges].map((e) => e.node.id))).toEqual(new Set(ACME.users.map((u) => u.id)));
    expect(await refusalOf(users().list(ctx, 1, 'not-a-cursor'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(await refusalOf(users().list(ctx, 101, null))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it("resolves a tenant reference only for the caller's own tenant", async () => {
    expect(await users().tenantByReference(accounts.as(alice), ACME.id)).toMatchObject({ id: ACME.id, slug: ACME.slug });
    expect(await users().tenantByReference(accounts.as(alice), GLOBEX.id)).toBeNull();
    expect(await users().currentTenant(accounts.as(globexAdmin))).toMatchObject({ id: GLOBEX.id, name: GLOBEX.name });
  });

  it('reports a caller whose account no longer exists as NOT_FOUND, and an anonymous one as UNAUTHENTICATED', async () => {
    const ghost: Identity = { userId: randomUUID(), tenantId: ACME.id, role: 'CUSTOMER' };
    expect(await refusalOf(users().me(accounts.as(ghost)))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refusalOf(users().me(accounts.as(null)))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
