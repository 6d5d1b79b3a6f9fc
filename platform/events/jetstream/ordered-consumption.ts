import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../observability/logger.js';
import { eventsConsumed, eventsDeadLettered } from '../../observability/metrics.js';
import type { ConsumerOptions } from '../bus.js';
import type { EventEnvelope } from '../event.js';
import type { DeadLetterStream } from './dead-letters.js';
import { attemptsUsedUp, isLastAttempt, isLastServerDelivery, retryDelayMs } from './delivery-policy.js';
import { errorMessage } from './error-message.js';
import { parseEnvelope, placeholderEnvelope } from './event-body.js';
import type { ResolvedOptions } from './options.js';
import { splitSubject, token } from './subjects.js';

/** After a nak, how long past its delay the aggregate's next events wait for the redelivery to come back here. */
const REDELIVERY_GRACE_MS = 5_000;
/** Retry delay when publishing a dead letter failed. */
const DEAD_LETTER_RETRY_MS = 1_000;

/** A nak'd message the aggregate's later events wait for, until its redelivery is handled or dead-lettered. */
interface Barrier {
  seq: number;
  until: number;
  timer: NodeJS.Timeout | undefined;
  done: Promise<void>;
  resolve: () => void;
}

/** One delivery of one message: keeps it alive at the server until it is acked, nak'd or dead-lettered. */
class Delivery {
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    readonly msg: JsMsg,
    readonly type: string,
    ackWaitMs: number,
  ) {
    this.keepAlive = setInterval(() => msg.working(), Math.max(250, Math.floor(ackWaitMs / 3)));
    this.keepAlive.unref();
  }

  /** The server's delivery count: attempts survive restarts and are shared by the replicas. */
  get attempt(): number {
    return this.msg.info.deliveryCount;
  }

  settled(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

/** Concurrency slots: handlers of one consumer running at once in this process. */
class Semaphore {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/**
 * One bus consumer's deliveries in this process. One aggregate's events are handled one at a time
 * in stream order (other aggregates side by side, up to `concurrency` handlers); the events after a
 * nak'd one wait for its redelivery; every delivery ends acked, nak'd with the policy's delay for
 * its attempt, or dead-lettered after the last attempt (see delivery-policy.ts for what the server
 * does and does not do of this). Across replicas sharing the durable consumer, events of one
 * aggregate may be handled by different replicas.
 */
export class OrderedConsumption {
  readonly consumer: string;
  /** The durable consumer's name at the server. */
  readonly durable: string;
  readonly types: ReadonlySet<string>;
  /** Per aggregate, the tail of the delivery chain: keeps one aggregate's events in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly barriers = new Map<string, Barrier>();
  /** Barriers given up at close: the aggregate's waiting events are handed back rather than handled. */
  private readonly abandoned = new Map<string, number>();
  /** Last handler error per stream sequence, for a dead letter written on a later delivery. */
  private readonly lastErrors = new Map<number, string>();
  private readonly slots: Semaphore;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: ConsumerOptions,
    private readonly settings: ResolvedOptions,
    private readonly deadLetters: DeadLetterStream,
    private readonly logger: Logger,
  ) {
    this.consumer = options.consumer;
    this.durable = token(options.consumer);
    this.types = new Set(options.types);
    this.slots = new Semaphore(Math.max(1, settings.concurrency));
  }

  /** Handlers, acks and dead letters of this consumer still under way in this process. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Resolves once what is under way now has finished (what it starts meanwhile may still run). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Takes one delivered message: queues it behind its aggregate's earlier events, or dead-letters it if unreadable. */
  dispatch(msg: JsMsg): void {
    const type = splitSubject(this.settings.subjectPrefix, msg.subject).rest;
    if (!this.types.has(type)) {
      msg.ack(); // matched only the wildcard filter of a pre-2.10 server
      return;
    }
    const delivery = new Delivery(msg, type, this.settings.ackWaitMs);
    let event: EventEnvelope;
    try {
      event = parseEnvelope(msg.string());
    } catch (error) {
      const raw = msg.string();
      const placeholder = placeholderEnvelope(type, raw, msg.headers?.get('Nats-Msg-Id') || undefined);
      this.track(this.deadLetter(delivery, placeholder, `unreadable event: ${errorMessage(error)}`).catch(() => undefined));
      return;
    }
    const key = `${event.aggregateType}:${event.aggregateId}`;
    const barrier = this.barriers.get(key);
    if (barrier && barrier.seq === msg.seq) {
      // the redelivery the aggregate's later events wait for: it goes first
      this.track(this.attempt(delivery, event, key));
      return;
    }
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      await this.attempt(delivery, event, key);
      const pending = this.barriers.get(key);
      if (pending && pending.seq === msg.seq) await pending.done;
    });
    this.chains.set(key, run);
    void run.finally(() => {
      if (this.chains.get(key) === run) {
        this.chains.delete(key);
        this.abandoned.delete(key);
      }
    });
    this.track(run);
  }

  /**
   * At close, once no more messages arrive: the redeliveries the aggregates wait for will not come
   * back here, so the events queued behind them are handed back to the server instead of handled.
   */
  abandonBarriers(): void {
    for (const [key, barrier] of [...this.barriers]) {
      this.abandoned.set(key, barrier.until);
      this.releaseBarrier(key, barrier.seq);
    }
  }

  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** One delivery: the handler, then its settlement. Never rejects. */
  private async attempt(delivery: Delivery, event: EventEnvelope, key: string): Promise<void> {
    const { msg } = delivery;
    const abandonedUntil = this.abandoned.get(key);
    if (abandonedUntil !== undefined) {
      // an earlier event of this aggregate waits for redelivery that will not come here: hand this one back after it
      msg.nak(Math.max(0, abandonedUntil - Date.now()) + 100);
      delivery.settled();
      return;
    }
    if (attemptsUsedUp(this.settings.delivery, delivery.attempt)) {
      const previousError = this.lastErrors.get(msg.seq) ?? 'delivery attempts exhausted: the last attempt did not complete';
      await this.deadLetter(delivery, event, previousError, key).catch(() => undefined);
      return;
    }
    await this.slots.acquire();
    let failure: string | undefined;
    try {
      await this.options.handler(event);
    } catch (error) {
      failure = errorMessage(error);
    } finally {
      this.slots.release();
    }
    await this.settle(delivery, event, key, failure);
  }

  /**
   * Ends a delivery by its handler's outcome (`failure` undefined when it succeeded): ack; or nak
   * with the policy's delay for this attempt, the aggregate's later events held until it comes back;
   * or, after the last attempt, a dead letter. Never rejects.
   */
  private async settle(delivery: Delivery, event: EventEnvelope, key: string, failure: string | undefined): Promise<void> {
    const { consumer } = this;
    const { msg } = delivery;
    const attempt = delivery.attempt;
    if (failure === undefined) {
      // A plain ack, not a request awaiting the server's confirmation: a lost ack only means a
      // redelivery after ack_wait, which the consumer's inbox turns into no second effect.
      msg.ack();
      delivery.settled();
      this.lastErrors.delete(msg.seq);
      eventsConsumed.inc({ consumer, type: event.type, outcome: attempt === 1 ? 'ok' : 'redelivered' });
      this.releaseBarrier(key, msg.seq);
      return;
    }
    if (isLastAttempt(this.settings.delivery, attempt)) {
      await this.deadLetter(delivery, event, failure, key).catch(() => undefined);
      return;
    }
    const wait = retryDelayMs(this.settings.delivery, attempt);
    this.logger.warn({ consumer, eventId: event.id, type: event.type, attempt, retryInMs: wait, err: failure }, 'event handler failed; will retry');
    this.lastErrors.set(msg.seq, failure);
    this.holdAggregate(key, msg.seq, wait);
    msg.nak(wait);
    delivery.settled();
  }

  /** Publishes the event to the dead-letter stream, then acks the original. On failure, naks to try again. */
  private async deadLetter(delivery: Delivery, event: EventEnvelope, error: string, key?: string): Promise<void> {
    const { consumer } = this;
    const { msg } = delivery;
    const attempts = delivery.attempt;
    let subject: string;
    try {
      subject = await this.deadLetters.publish(msg, { consumer, durable: this.durable, type: delivery.type, error, attempts });
    } catch (publishError) {
      const lastServerDelivery = isLastServerDelivery(this.settings.delivery, attempts);
      this.logger.error(
        { consumer, eventId: event.id, type: event.type, attempts, err: error, dlqErr: errorMessage(publishError) },
        lastServerDelivery ? 'dead letter could not be published on the last delivery JetStream allows: event lost' : 'dead letter could not be published; will retry',
      );
      this.lastErrors.set(msg.seq, error);
      if (key !== undefined) this.holdAggregate(key, msg.seq, DEAD_LETTER_RETRY_MS);
      msg.nak(DEAD_LETTER_RETRY_MS);
      delivery.settled();
      throw publishError;
    }
    try {
      await msg.ackAck({ timeout: this.settings.publishTimeoutMs });
    } catch (ackError) {
      this.logger.warn({ consumer, eventId: event.id, type: event.type, err: errorMessage(ackError) }, 'ack of dead-lettered event not confirmed');
    }
    delivery.settled();
    this.lastErrors.delete(msg.seq);
    eventsConsumed.inc({ consumer, type: event.type, outcome: 'dead_lettered' });
    eventsDeadLettered.inc({ consumer, type: event.type });
    this.logger.error({ consumer, eventId: event.id, type: event.type, attempts, err: error, subject }, 'event dead-lettered');
    if (key !== undefined) this.releaseBarrier(key, msg.seq);
  }

  /** The aggregate's later events wait until this nak'd message comes back and is done with (or a grace period passes). */
  private holdAggregate(key: string, seq: number, waitMs: number): void {
    let barrier = this.barriers.get(key);
    if (barrier && barrier.seq !== seq) {
      this.releaseBarrier(key, barrier.seq);
      barrier = undefined;
    }
    if (!barrier) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      barrier = { seq, until: 0, timer: undefined, done, resolve };
      this.barriers.set(key, barrier);
    }
    const held = barrier;
    if (held.timer) clearTimeout(held.timer);
    held.until = Date.now() + waitMs;
    held.timer = setTimeout(() => {
      if (this.barriers.get(key) !== held) return;
      this.logger.warn(
        { consumer: this.consumer, aggregate: key, seq },
        'redelivery did not come back to this process in time (another replica may have it); continuing with the aggregate',
      );
      this.releaseBarrier(key, seq);
    }, waitMs + REDELIVERY_GRACE_MS);
    held.timer.unref();
  }

  private releaseBarrier(key: string, seq: number): void {
    const barrier = this.barriers.get(key);
    if (!barrier || barrier.seq !== seq) return;
    if (barrier.timer) clearTimeout(barrier.timer);
    this.barriers.delete(key);
    barrier.resolve();
  }
}
