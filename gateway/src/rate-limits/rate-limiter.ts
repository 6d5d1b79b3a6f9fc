import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Identity } from '#platform/auth';
import type { EdgeConfig, Rate } from '../edge-config.js';
import type { EdgeStore } from '../edge-store/edge-store.js';

export type RateLimitScope = 'user' | 'tenant' | 'address' | 'login-address' | 'login-account';

export interface RateLimitRefusal {
  scope: RateLimitScope;
  retryAfterSeconds: number;
}

export function rateLimitMessage(refusal: RateLimitRefusal): string {
  return `Too many requests (${refusal.scope} limit). Try again in ${refusal.retryAfterSeconds} s.`;
}

/** HTTP 429 with Retry-After, and the code RATE_LIMITED with the scope that ran out. */
export function rateLimited(refusal: RateLimitRefusal): GraphQLError {
  return new GraphQLError(rateLimitMessage(refusal), {
    extensions: {
      code: 'RATE_LIMITED',
      scope: refusal.scope,
      retryAfterSeconds: refusal.retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(refusal.retryAfterSeconds)]]) },
    },
  });
}

/** Emails and tenants are not kept in the store in clear. */
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url');
}

/**
 * Token buckets per user and per tenant for signed-in callers, per client address for everyone
 * else, and for login attempts per address and per account (tenant + email, whether the account
 * exists or not, so the limit tells nothing about which do).
 */
export class RateLimiter {
  constructor(
    private readonly store: EdgeStore,
    private readonly rates: EdgeConfig['rateLimits'],
  ) {}

  private async charge(scope: RateLimitScope, rate: Rate | null, key: string, cost: number): Promise<RateLimitRefusal | null> {
    if (!rate) return null;
    const result = await this.store.take(`${scope}:${key}`, rate, cost);
    return result.allowed ? null : { scope, retryAfterSeconds: result.retryAfterSeconds };
  }

  /** One HTTP request carrying `operations` operations (more than one when batched); the refusal, or null. */
  async chargeRequest(identity: Identity | null, address: string, operations: number): Promise<RateLimitRefusal | null> {
    if (!identity) return this.charge('address', this.rates.anonymous, address, operations);
    return (await this.charge('user', this.rates.user, identity.userId, operations)) ?? this.charge('tenant', this.rates.tenant, identity.tenantId, operations);
  }

  /** One login attempt (each `login` field of an operation is one); the refusal, or null. */
  async chargeLogin(address: string, tenant: string, email: string): Promise<RateLimitRefusal | null> {
    return (
      (await this.charge('login-address', this.rates.loginAddress, address, 1)) ??
      this.charge('login-account', this.rates.loginAccount, digest(tenant.trim().toLowerCase(), email.trim().toLowerCase()), 1)
    );
  }
}
