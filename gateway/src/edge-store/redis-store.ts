import { Redis } from 'ioredis';
import type { Logger } from '#platform/observability';
import type { Rate } from '../edge-config.js';
import type { EdgeStore, StringCache } from './edge-store.js';
import { MemoryEdgeStore } from './memory-store.js';
import type { TakeResult } from '../rate-limits/token-bucket.js';

/**
 * The token bucket of token-bucket.ts, atomically in Redis and on Redis's clock, so replicas with
 * skewed clocks still share one bucket. Returns { allowed (0/1), wait in ms }.
 */
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2]) * 1000
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local perMs = capacity / windowMs
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed = 0
local wait = 0
if cost > capacity then
  wait = windowMs
elseif tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], windowMs)
return { allowed, wait }
`;

type RedisWithTake = Redis & { edgeTake(key: string, capacity: number, windowSeconds: number, cost: number): Promise<[number, number]> };

/**
 * Edge state shared by every gateway replica through Redis. When Redis fails a call, that call is
 * answered from this replica's memory instead (limits still hold per replica) and the failure logged.
 */
export class RedisEdgeStore implements EdgeStore {
  readonly kind = 'redis';
  private readonly fallback = new MemoryEdgeStore();
  private lastComplaint = 0;
  readonly persistedQueries: StringCache;

  private constructor(
    private readonly redis: RedisWithTake,
    private readonly logger: Logger,
    private readonly prefix: string,
  ) {
    this.persistedQueries = {
      get: async (key) => (await this.guarded(() => this.redis.get(this.prefix + key), () => this.fallback.persistedQueries.get(key))) ?? undefined,
      set: async (key, value, options) => {
        await this.guarded(
          () => this.redis.set(this.prefix + key, value, 'EX', options?.ttl ?? 86_400).then(() => undefined),
          () => this.fallback.persistedQueries.set(key, value, options),
        );
      },
      delete: async (key) => this.guarded(async () => (await this.redis.del(this.prefix + key)) > 0, () => this.fallback.persistedQueries.delete(key)),
    };
  }

  static async connect(url: string, prefix: string, logger: Logger): Promise<RedisEdgeStore> {
    const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2_000 }) as RedisWithTake;
    redis.defineCommand('edgeTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
    await redis.connect();
    return new RedisEdgeStore(redis, logger, prefix);
  }

  private async guarded<T>(primary: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    try {
      return await primary();
    } catch (error) {
      if (Date.now() - this.lastComplaint > 10_000) {
        this.lastComplaint = Date.now();
        this.logger.warn({ err: error }, 'redis unavailable: edge limits fall back to this replica\'s memory');
      }
      return fallback();
    }
  }

  async take(key: string, rate: Rate, cost: number): Promise<TakeResult> {
    return this.guarded(
      async () => {
        const [allowed, waitMs] = await this.redis.edgeTake(`${this.prefix}bucket:${key}`, rate.capacity, rate.windowSeconds, cost);
        return { allowed: allowed === 1, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)) };
      },
      () => this.fallback.take(key, rate, cost),
    );
  }

  async revokeSession(sessionId: string, ttlSeconds: number): Promise<void> {
    await this.fallback.revokeSession(sessionId, ttlSeconds);
    await this.guarded(() => this.redis.set(`${this.prefix}revoked:${sessionId}`, '1', 'EX', Math.max(1, ttlSeconds)).then(() => undefined), async () => undefined);
  }

  async isSessionRevoked(sessionId: string): Promise<boolean> {
    if (await this.fallback.isSessionRevoked(sessionId)) return true;
    return this.guarded(async () => (await this.redis.exists(`${this.prefix}revoked:${sessionId}`)) === 1, async () => false);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
