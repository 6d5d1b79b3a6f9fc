import type { Logger } from '#platform/observability';
import type { EdgeStore } from './edge-store.js';
import { MemoryEdgeStore } from './memory-store.js';
import { RedisEdgeStore } from './redis-store.js';

/** Redis when REDIS_URL is set (shared by replicas), this process's memory otherwise. */
export async function createEdgeStore(options: { redisUrl: string | undefined; redisKeyPrefix: string }, logger: Logger): Promise<EdgeStore> {
  return options.redisUrl ? RedisEdgeStore.connect(options.redisUrl, options.redisKeyPrefix, logger) : new MemoryEdgeStore();
}
