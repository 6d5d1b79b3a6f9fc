import type { Rate } from '../edge-config.js';
import type { EdgeStore, StringCache } from './edge-store.js';
import { takeFromBucket, type BucketState, type TakeResult } from '../rate-limits/token-bucket.js';

/** A Map that forgets its oldest entries past `capacity` and entries past their expiry. */
class BoundedMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  constructor(
    private readonly capacity: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }
}

/**
 * The edge state of one gateway process. Buckets that would be full again are forgotten, so the
 * map holds only callers active within their window; at most `capacity` of them.
 */
export class MemoryEdgeStore implements EdgeStore {
  readonly kind = 'memory';
  private readonly buckets: BoundedMap<BucketState>;
  private readonly revoked: BoundedMap<true>;
  readonly persistedQueries: StringCache;

  constructor(private readonly now: () => number = Date.now, capacity = 200_000) {
    this.buckets = new BoundedMap(capacity, now);
    this.revoked = new BoundedMap(capacity, now);
    const queries = new BoundedMap<string>(5_000, now);
    this.persistedQueries = {
      get: async (key) => queries.get(key),
      set: async (key, value, options) => queries.set(key, value, (options?.ttl ?? 86_400) * 1000),
      delete: async (key) => queries.delete(key),
    };
  }

  async take(key: string, rate: Rate, cost: number): Promise<TakeResult> {
    const { state, result } = takeFromBucket(this.buckets.get(key), rate, cost, this.now());
    this.buckets.set(key, state, rate.windowSeconds * 1000);
    return result;
  }

  async revokeSession(sessionId: string, ttlSeconds: number): Promise<void> {
    this.revoked.set(sessionId, true, ttlSeconds * 1000);
  }

  async isSessionRevoked(sessionId: string): Promise<boolean> {
    return this.revoked.get(sessionId) === true;
  }

  async close(): Promise<void> {}
}
