import type { FormattedExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SocketSession } from '../../gateway/src/subscriptions/socket-session.js';

/** A socket that records how the session ended it. */
function socket() {
  const calls: { close?: [number, string]; terminated?: boolean } = {};
  return {
    calls,
    close: (code: number, reason: string) => void (calls.close = [code, reason]),
    terminate: () => void (calls.terminated = true),
  };
}

const result = (entity: string, n: number): { entity: string; result: FormattedExecutionResult } => ({ entity, result: { data: { n, entity } } });

async function drain(queue: AsyncIterator<FormattedExecutionResult>, count: number): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (let i = 0; i < count; i += 1) seen.push((await queue.next()).value?.data);
  return seen;
}

describe('a subscriber queue', () => {
  it('hands a waiting reader each result at once and keeps none', async () => {
    const session = new SocketSession(socket(), 2);
    const queue = session.openQueue(() => undefined);
    const next = queue.next();
    queue.push(result('Order:1', 1));
    expect((await next).value).toEqual({ data: { n: 1, entity: 'Order:1' } });
    expect(session.queued).toBe(0);
  });

  it('keeps every result in order while the socket stays within its limit', async () => {
    const session = new SocketSession(socket(), 3);
    const queue = session.openQueue(() => undefined);
    for (const n of [1, 2, 3]) queue.push(result('Order:1', n));
    expect(session.queued).toBe(3);
    expect(await drain(queue, 3)).toEqual([1, 2, 3].map((n) => ({ n, entity: 'Order:1' })));
  });

  it('coalesces per entity, the latest winning, once the socket is over its limit', async () => {
    const ws = socket();
    const session = new SocketSession(ws, 2);
    const queue = session.openQueue(() => undefined);
    queue.push(result('Order:1', 1));
    queue.push(result('Order:2', 2));
    queue.push(result('Order:1', 3));
    expect(ws.calls.close).toBeUndefined();
    expect(session.queued).toBe(2);
    expect(await drain(queue, 2)).toEqual([
      { n: 2, entity: 'Order:2' },
      { n: 3, entity: 'Order:1' },
    ]);
  });

  it('coalesces over all the subscriptions of a socket', () => {
    const ws = socket();
    const session = new SocketSession(ws, 2);
    const orders = session.openQueue(() => undefined);
    const stock = session.openQueue(() => undefined);
    orders.push(result('Order:1', 1));
    stock.push(result('Stock:1', 2));
    stock.push(result('Stock:1', 3));
    expect(session.queued).toBe(2);
    expect(ws.calls.close).toBeUndefined();
  });

  it('closes the socket with 4008 when it is still over its limit after coalescing', () => {
    const ws = socket();
    const session = new SocketSession(ws, 2);
    const detached: unknown[] = [];
    const queue = session.openQueue((q) => detached.push(q));
    for (const id of ['1', '2', '3']) queue.push(result(`Order:${id}`, 0));
    expect(ws.calls.close?.[0]).toBe(4008);
    expect(detached).toEqual([queue]);
    expect(session.queued).toBe(0);
  });

  it('sends a last result after what is queued, then ends', async () => {
    const session = new SocketSession(socket(), 5);
    const queue = session.openQueue(() => undefined);
    queue.push(result('Order:1', 1));
    queue.finish({ errors: [{ message: 'The schema changed; subscribe again.' }] });
    expect((await queue.next()).value).toEqual({ data: { n: 1, entity: 'Order:1' } });
    expect((await queue.next()).value).toEqual({ errors: [{ message: 'The schema changed; subscribe again.' }] });
    expect((await queue.next()).done).toBe(true);
    queue.push(result('Order:1', 2));
    expect(session.queued).toBe(0);
  });

  it('drops what is queued when the client completes the subscription', async () => {
    const session = new SocketSession(socket(), 5);
    let detached = 0;
    const queue = session.openQueue(() => (detached += 1));
    queue.push(result('Order:1', 1));
    await queue.return();
    await queue.return();
    expect(session.queued).toBe(0);
    expect(detached).toBe(1);
    expect((await queue.next()).done).toBe(true);
  });
});

describe("a subscription's guard per entity", () => {
  const read = (entity: string, n: number, readAt: number, fingerprint = String(n)) => ({ ...result(entity, n), readAt, fingerprint });

  it('drops a result read before the one it already has (a snapshot overtaken by an older event)', async () => {
    const queue = new SocketSession(socket(), 10).openQueue(() => undefined);
    expect(queue.push(read('Order:1', 2, 20))).toBe(true);
    expect(queue.push(read('Order:1', 1, 10))).toBe(false);
    expect(queue.push(read('Order:1', 3, 30))).toBe(true);
    expect(await drain(queue, 2)).toEqual([2, 3].map((n) => ({ n, entity: 'Order:1' })));
  });

  it('drops a result equal to the last one it got for the entity, and keeps entities apart', () => {
    const queue = new SocketSession(socket(), 10).openQueue(() => undefined);
    expect(queue.push(read('Order:1', 1, 10, 'same'))).toBe(true);
    expect(queue.push(read('Order:1', 1, 11, 'same'))).toBe(false);
    expect(queue.push(read('Order:2', 1, 5, 'same'))).toBe(true);
    expect(queue.push(read('Order:1', 2, 12, 'changed'))).toBe(true);
  });
});
