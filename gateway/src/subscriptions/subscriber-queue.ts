import type { FormattedExecutionResult } from 'graphql';
import { subscriptionStage } from './metrics.js';

/** One result on its way to a socket, with the entity it is about (coalescing keeps the latest per entity). */
export interface Outbound {
  entity: string;
  result: FormattedExecutionResult;
  /**
   * When the fetches behind the result started (a process-wide counter): a result read before one
   * this subscription already has for the entity is stale and is dropped.
   */
  readAt?: number;
  /** The result's data as JSON: equal to what this subscription last got for the entity, it is no news and is dropped. */
  fingerprint?: string;
  /** When it was handed to the queues (performance.now()), for the time it waits in one. */
  pushedAt?: number;
}

/** Entities whose last result a subscription remembers (a dashboard subscription sees many orders). */
const REMEMBERED_ENTITIES = 1_000;

/** The socket a queue belongs to: one budget over all its subscriptions. */
export interface QueueOwner {
  /** Results queued on the socket, over all its subscriptions. */
  queued: number;
  /** A queue grew: the owner checks its budget. */
  grew(): void;
}

/**
 * One subscription's results, as the async iterator graphql-ws reads. graphql-ws asks for the next
 * result only after the previous one was written to the socket, so results pile up here exactly
 * when the client (or its network) is slower than the events; the owner decides what then.
 */
export class SubscriberQueue implements AsyncIterableIterator<FormattedExecutionResult> {
  private readonly items: Outbound[] = [];
  private waiting: ((result: IteratorResult<FormattedExecutionResult>) => void) | undefined;
  /** No more results will be added; iteration ends once the queue is empty. */
  private ending = false;
  private detached = false;
  /** Per entity, the read time and fingerprint of the last result this subscription accepted. */
  private readonly last = new Map<string, { readAt: number; fingerprint: string }>();

  constructor(
    private readonly owner: QueueOwner,
    private readonly onDetach: (queue: SubscriberQueue) => void,
  ) {}

  /** Nothing queued and graphql-ws is waiting for more: everything given so far has been written to the socket. */
  get idle(): boolean {
    return this.items.length === 0 && (this.waiting !== undefined || this.detached);
  }

  get size(): number {
    return this.items.length;
  }

  /** Hands a result on, unless it is older than or the same as what this subscription last got for the entity. */
  push(item: Outbound): boolean {
    if (this.ending) return false;
    if (item.readAt !== undefined && item.fingerprint !== undefined && !this.admit(item.entity, item.readAt, item.fingerprint)) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      if (item.pushedAt !== undefined) subscriptionStage.observe({ stage: 'socket_queue' }, 0);
      resolve({ value: item.result, done: false });
      return true;
    }
    this.items.push(item);
    this.owner.queued += 1;
    this.owner.grew();
    return true;
  }

  /** Whether the subscription has ever been handed a result (a snapshot or an event) for `entity`. */
  has(entity: string): boolean {
    return this.last.has(entity);
  }

  private admit(entity: string, readAt: number, fingerprint: string): boolean {
    const last = this.last.get(entity);
    if (last && (readAt <= last.readAt || fingerprint === last.fingerprint)) return false;
    this.last.delete(entity);
    this.last.set(entity, { readAt, fingerprint });
    if (this.last.size > REMEMBERED_ENTITIES) this.last.delete(this.last.keys().next().value!);
    return true;
  }

  /** Keeps only the latest result per entity; returns how many were dropped. */
  coalesce(): number {
    const seen = new Set<string>();
    const kept: Outbound[] = [];
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      const item = this.items[i]!;
      if (seen.has(item.entity)) continue;
      seen.add(item.entity);
      kept.push(item);
    }
    const dropped = this.items.length - kept.length;
    if (dropped > 0) {
      this.items.splice(0, this.items.length, ...kept.reverse());
      this.owner.queued -= dropped;
    }
    return dropped;
  }

  /** Sends `last` after what is queued (when given), then completes the subscription. */
  finish(last?: FormattedExecutionResult): void {
    if (this.ending) return;
    if (last) {
      if (this.waiting) this.push({ entity: '', result: last });
      else {
        this.items.push({ entity: '', result: last });
        this.owner.queued += 1;
      }
    }
    this.ending = true;
    this.detach();
    if (this.items.length === 0 && this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<FormattedExecutionResult>> {
    const item = this.items.shift();
    if (item) {
      this.owner.queued -= 1;
      if (item.pushedAt !== undefined) subscriptionStage.observe({ stage: 'socket_queue' }, (performance.now() - item.pushedAt) / 1_000);
      return Promise.resolve({ value: item.result, done: false });
    }
    if (this.ending) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The client completed the subscription or the socket closed: drop what is queued. */
  return(): Promise<IteratorResult<FormattedExecutionResult>> {
    this.ending = true;
    this.owner.queued -= this.items.length;
    this.items.length = 0;
    this.detach();
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(): Promise<IteratorResult<FormattedExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.onDetach(this);
  }
}
