import type { Identity } from '#platform/auth';
import { CloseCode } from './close-codes.js';
import { subscriptionCoalesced, subscriptionSocketsClosed } from './metrics.js';
import { SubscriberQueue, type QueueOwner } from './subscriber-queue.js';

/** The socket as a session uses it (a `ws` WebSocket). */
export interface WebSocket {
  close(code: number, reason: string): void;
  terminate(): void;
}

/**
 * One graphql-ws socket: who signed in on it and until when, and the budget of results waiting for
 * it over all its subscriptions. Over budget, queued results are coalesced per entity (latest wins);
 * still over, the socket is closed with 4008 so one slow client never holds memory or others back.
 */
export class SocketSession implements QueueOwner {
  queued = 0;
  identity: Identity | null = null;
  /** The `kid` of the key that signed the socket's token (closing on key retirement goes by it). */
  keyId: string | undefined;
  private readonly queues = new Set<SubscriberQueue>();
  private expiry: NodeJS.Timeout | undefined;
  private closedBy: string | undefined;

  constructor(
    private readonly socket: Pick<WebSocket, 'close' | 'terminate'>,
    private readonly queueLimit: number,
  ) {}

  get closing(): boolean {
    return this.closedBy !== undefined;
  }

  /** Every queue has been written out to the socket. */
  get idle(): boolean {
    for (const queue of this.queues) if (!queue.idle) return false;
    return true;
  }

  /** Signed in until `expiresAtMs`; then the socket is closed with 4401. */
  signIn(identity: Identity, expiresAtMs: number, keyId?: string): void {
    this.identity = identity;
    this.keyId = keyId;
    const wait = expiresAtMs - Date.now();
    if (wait <= 0) {
      this.close(CloseCode.Unauthorized, 'Token expired', 'token_expired');
      return;
    }
    this.expiry = setTimeout(() => this.close(CloseCode.Unauthorized, 'Token expired', 'token_expired'), Math.min(wait, 2_147_483_647));
    this.expiry.unref();
  }

  openQueue(onDetach: (queue: SubscriberQueue) => void): SubscriberQueue {
    const queue = new SubscriberQueue(this, (q) => {
      this.queues.delete(q);
      onDetach(q);
    });
    this.queues.add(queue);
    return queue;
  }

  grew(): void {
    if (this.queued <= this.queueLimit) return;
    let dropped = 0;
    for (const queue of this.queues) dropped += queue.coalesce();
    subscriptionCoalesced.inc(dropped);
    if (this.queued > this.queueLimit) this.close(CloseCode.SlowConsumer, `Slow consumer: ${this.queued} results waiting`, 'slow_consumer');
  }

  close(code: number, reason: string, metricReason: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = metricReason;
    subscriptionSocketsClosed.inc({ reason: metricReason });
    this.dispose();
    // nothing more is queued for it: its subscriptions leave their topics now, not at the close handshake
    for (const queue of [...this.queues]) void queue.return();
    this.socket.close(code, reason);
  }

  /** Cuts a socket that stopped answering pings: no close handshake with a peer that is gone. */
  terminate(metricReason: string): void {
    if (this.closedBy === undefined) {
      this.closedBy = metricReason;
      subscriptionSocketsClosed.inc({ reason: metricReason });
    }
    this.dispose();
    for (const queue of [...this.queues]) void queue.return();
    this.socket.terminate();
  }

  /** The socket closed (either side): stop the expiry timer. */
  dispose(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
  }
}
