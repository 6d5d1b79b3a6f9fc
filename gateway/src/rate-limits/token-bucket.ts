import type { Rate } from '../edge-config.js';

export interface BucketState {
  tokens: number;
  /** When `tokens` was last computed, in ms. */
  at: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole seconds until `cost` tokens are back (0 when allowed): the Retry-After value. */
  retryAfterSeconds: number;
}

/**
 * One token-bucket step: refill for the time passed, then take `cost` tokens if they are there.
 * A cost larger than the bucket never fits; it is refused with the whole window as the wait.
 */
export function takeFromBucket(state: BucketState | undefined, rate: Rate, cost: number, now: number): { state: BucketState; result: TakeResult } {
  const perMs = rate.capacity / (rate.windowSeconds * 1000);
  const before = state ? Math.min(rate.capacity, state.tokens + Math.max(0, now - state.at) * perMs) : rate.capacity;
  if (cost > rate.capacity) return { state: { tokens: before, at: now }, result: { allowed: false, retryAfterSeconds: rate.windowSeconds } };
  if (before >= cost) return { state: { tokens: before - cost, at: now }, result: { allowed: true, retryAfterSeconds: 0 } };
  return { state: { tokens: before, at: now }, result: { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - before) / perMs / 1000)) } };
}
