import { describe, expect, it } from 'vitest';
import { takeFromBucket, type BucketState } from '../../gateway/src/rate-limits/token-bucket.js';
import { MemoryEdgeStore } from '../../gateway/src/edge-store/memory-store.js';

const rate = { capacity: 4, windowSeconds: 8 }; // one token back every 2 s

describe('token bucket', () => {
  it('starts full and gives out its capacity at once', () => {
    let state: BucketState | undefined;
    const allowed: boolean[] = [];
    for (let i = 0; i < 5; i += 1) {
      const step = takeFromBucket(state, rate, 1, 1_000);
      state = step.state;
      allowed.push(step.result.allowed);
    }
    expect(allowed).toEqual([true, true, true, true, false]);
  });

  it('says how long until the next token, in whole seconds', () => {
    const empty = { tokens: 0, at: 0 };
    expect(takeFromBucket(empty, rate, 1, 0).result).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(takeFromBucket(empty, rate, 1, 1_500).result).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(takeFromBucket(empty, rate, 3, 0).result).toEqual({ allowed: false, retryAfterSeconds: 6 });
  });

  it('refills with time, never beyond its capacity', () => {
    expect(takeFromBucket({ tokens: 0, at: 0 }, rate, 1, 2_000).result.allowed).toBe(true);
    expect(takeFromBucket({ tokens: 0, at: 0 }, rate, 1, 60_000).state.tokens).toBe(3);
  });

  it('refuses a cost larger than the bucket with the whole window as the wait', () => {
    expect(takeFromBucket(undefined, rate, 5, 0).result).toEqual({ allowed: false, retryAfterSeconds: 8 });
  });
});

describe('memory edge store', () => {
  it('keeps one bucket per key on the clock it is given', async () => {
    let now = 0;
    const store = new MemoryEdgeStore(() => now);
    for (let i = 0; i < 4; i += 1) expect((await store.take('user:a', rate, 1)).allowed).toBe(true);
    expect((await store.take('user:a', rate, 1)).allowed).toBe(false);
    expect((await store.take('user:b', rate, 1)).allowed).toBe(true);
    now = 2_000;
    expect((await store.take('user:a', rate, 1)).allowed).toBe(true);
  });

  it('forgets ended sessions after their time', async () => {
    let now = 0;
    const store = new MemoryEdgeStore(() => now);
    await store.revokeSession('s1', 10);
    expect(await store.isSessionRevoked('s1')).toBe(true);
    expect(await store.isSessionRevoked('s2')).toBe(false);
    now = 10_001;
    expect(await store.isSessionRevoked('s1')).toBe(false);
  });

  it('holds at most its capacity of callers, dropping the oldest', async () => {
    const store = new MemoryEdgeStore(() => 0, 2);
    for (const key of ['a', 'b', 'c']) for (let i = 0; i < 4; i += 1) await store.take(key, rate, 1);
    // "a" was dropped, so it starts full again; "c" is still empty
    expect((await store.take('a', rate, 1)).allowed).toBe(true);
    expect((await store.take('c', rate, 1)).allowed).toBe(false);
  });
});
