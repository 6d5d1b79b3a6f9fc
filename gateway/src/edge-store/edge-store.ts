import type { Rate } from '../edge-config.js';
import type { TakeResult } from '../rate-limits/token-bucket.js';

/** Apollo Server's KeyValueCache, as the persisted-query cache uses it. */
export interface StringCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/**
 * State the edge keeps between requests: rate-limit buckets, ended sessions and registered
 * persisted queries. In memory for one gateway, or in Redis so that every replica sees the same.
 */
export interface EdgeStore {
  readonly kind: 'memory' | 'redis';
  /** Takes `cost` tokens from the bucket `key`, which refills at `rate`. */
  take(key: string, rate: Rate, cost: number): Promise<TakeResult>;
  /** Refuses every access token of the session from now on, for `ttlSeconds` (the longest a token of it can live). */
  revokeSession(sessionId: string, ttlSeconds: number): Promise<void>;
  isSessionRevoked(sessionId: string): Promise<boolean>;
  /** Automatic persisted queries registered by clients (hash → document). */
  readonly persistedQueries: StringCache;
  close(): Promise<void>;
}
