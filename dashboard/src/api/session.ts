import type { Client } from '@urql/core';
import { RefreshSessionDocument, SignInDocument, SignOutDocument, type Role } from '../generated/graphql';
import { describeError, errorCodeOf } from './errors';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface SessionState {
  tenant: string;
  user: SessionUser;
  token: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}

export type SignInOutcome = { ok: true } | { ok: false; message: string; code?: string };

const STORAGE_KEY = 'supergraph-commerce.dashboard.session';
/** Refresh up to this long before the access token expires (a quarter of its life when that is shorter). */
const REFRESH_AHEAD_MS = 60_000;
/** A token this close to expiry is refreshed before it is sent. */
const EXPIRY_MARGIN_MS = 15_000;
/** After a refresh failed for want of the network, try again this soon (the token may still be good). */
const RETRY_REFRESH_MS = 10_000;

/**
 * The signed-in admin: tokens, who they are, and keeping the session alive. The access token is
 * refreshed with the single-use refresh token ahead of expiry, and on demand when the gateway says
 * UNAUTHENTICATED. State lives in sessionStorage: it survives a reload of this tab, not the tab itself.
 */
export class Session {
  private state: SessionState | null;
  private endedBecause: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  /** `anonymous` sends login and refresh: requests that must never carry an access token. */
  constructor(
    private readonly anonymous: Client,
    private readonly storage: Storage = window.sessionStorage,
  ) {
    this.state = this.load();
    if (this.state && Date.parse(this.state.refreshExpiresAt) <= Date.now()) this.end('Your session expired. Sign in again.');
    this.schedule();
  }

  get current(): SessionState | null {
    return this.state;
  }

  /** Why the last session ended, when it was not the user's own sign-out. */
  get notice(): string | null {
    return this.endedBecause;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Signs in; a user without `role` is turned away, and the session the gateway opened is ended. */
  async signIn(tenant: string, email: string, password: string, role: Role): Promise<SignInOutcome> {
    const result = await this.anonymous.mutation(SignInDocument, { tenant, email, password }).toPromise();
    const login = result.data?.login;
    if (!login) return { ok: false, message: describeError(result.error, { UNAUTHENTICATED: 'Sign-in refused' }), code: errorCodeOf(result.error) };
    if (login.user.role !== role) {
      await this.anonymous.mutation(SignOutDocument, {}, { fetchOptions: { headers: { authorization: `Bearer ${login.token}` } } }).toPromise();
      return { ok: false, message: `${login.user.email} is a ${login.user.role.toLowerCase()} account: the dashboard is for ${role.toLowerCase()}s.`, code: 'FORBIDDEN' };
    }
    this.endedBecause = null;
    this.update({ tenant, user: login.user, token: login.token, expiresAt: login.expiresAt, refreshToken: login.refreshToken, refreshExpiresAt: login.refreshExpiresAt });
    return { ok: true };
  }

  /** The access token, refreshed first when it is about to expire. */
  async freshToken(): Promise<string | undefined> {
    if (this.state && this.expiresWithin(EXPIRY_MARGIN_MS)) await this.refresh();
    return this.state?.token;
  }

  expiresWithin(ms: number): boolean {
    return this.state !== null && Date.parse(this.state.expiresAt) - Date.now() < ms;
  }

  /**
   * Trades the refresh token for a new pair, once at a time (a refresh token is single-use: sending
   * it twice would end the session). Resolves whether the session goes on.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Forgets the session here; `notice` says why when it was not the user's choice. */
  end(notice?: string): void {
    this.endedBecause = notice ?? null;
    this.update(null);
  }

  private async doRefresh(): Promise<boolean> {
    const state = this.state;
    if (!state) return false;
    const result = await this.anonymous.mutation(RefreshSessionDocument, { refreshToken: state.refreshToken }).toPromise();
    if (this.state !== state) return this.state !== null; // signed out (or in again) meanwhile
    const next = result.data?.refreshToken;
    if (next) {
      this.update({ ...state, token: next.token, expiresAt: next.expiresAt, refreshToken: next.refreshToken, refreshExpiresAt: next.refreshExpiresAt });
      return true;
    }
    if (result.error?.networkError && !result.error.graphQLErrors.length) {
      // The gateway could not be reached: keep the session and try again shortly.
      this.schedule(RETRY_REFRESH_MS);
      return Date.parse(state.expiresAt) > Date.now();
    }
    this.end(`Your session has ended (${describeError(result.error)}). Sign in again.`);
    return false;
  }

  private update(state: SessionState | null): void {
    this.state = state;
    if (state) this.storage.setItem(STORAGE_KEY, JSON.stringify(state));
    else this.storage.removeItem(STORAGE_KEY);
    this.schedule();
    for (const listener of this.listeners) listener();
  }

  private schedule(delayMs?: number): void {
    clearTimeout(this.timer);
    if (!this.state) return;
    const remaining = Date.parse(this.state.expiresAt) - Date.now();
    const due = delayMs ?? Math.max(1_000, remaining - Math.min(REFRESH_AHEAD_MS, remaining / 4));
    this.timer = setTimeout(() => void this.refresh(), due);
  }

  private load(): SessionState | null {
    try {
      const raw = this.storage.getItem(STORAGE_KEY);
      return raw ? (JSON.parse(raw) as SessionState) : null;
    } catch {
      return null;
    }
  }
}
