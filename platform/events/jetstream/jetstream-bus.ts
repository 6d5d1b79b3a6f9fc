import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../observability/logger.js';
import { eventsConsumed, eventsDeadLettered } from '../../observability/metrics.js';
import type { BroadcastOptions, ConsumerBacklog, ConsumerOptions, DeadLetter, EventBus } from '../bus.js';
import type { EventEnvelope } from '../event.js';
import { DeadLetterStream } from './dead-letters.js';
import { connectToNats, supportsMultipleFilters, watchConnection } from './connection.js';
import { attemptsUsedUp, isLastAttempt, isLastServerDelivery, retryDelayMs } from './delivery-policy.js';
import { errorMessage } from './error-message.js';
import { parseEnvelope, placeholderEnvelope } from './event-body.js';
import { resolveOptions, type JetStreamBusOptions, type ResolvedOptions } from './options.js';
import { Streams } from './streams.js';
import { checkSubjectPart, eventSubject, splitSubject, token, typeSubject } from './subjects.js';

export type { JetStreamBusOptions } from './options.js';

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

interface Subscription {
  consumer: string;
  options: ConsumerOptions;
  durable: string;
  types: Set<string>;
  messages: ConsumerMessages | undefined;
  loop: Promise<void> | undefined;
  /** Per aggregate, the tail of the delivery chain: keeps one aggregate's events in order. */
  chains: Map<string, Promise<void>>;
  barriers: Map<string, Barrier>;
  /** Barriers given up at close: the aggregate's waiting events are handed back rather than handled. */
  abandoned: Map<string, number>;
  /** Last handler error per stream sequence, for a dead letter written on a later delivery. */
  lastErrors: Map<number, string>;
  slots: Semaphore;
  healing: boolean;
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

  get attempt(): number {
    return this.msg.info.deliveryCount;
  }

  settled(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

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

function sleep(ms: number, until?: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void until?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The distributed bus: NATS JetStream, with the same contract as {@link InProcessBus}.
 *
 * Layout: one stream of domain events (default `EVENTS`, subjects `events.>`; an event goes to
 * `events.<tenantId>.<type>` with its id as `Nats-Msg-Id`, so JetStream drops a duplicate publish
 * within the duplicate window), one stream of dead letters (default `DLQ`, subjects `dlq.>`; a dead
 * letter goes to `dlq.<consumer>.<type>` with the event as body and `Dlq-*` headers), and per
 * `consume` one durable pull consumer on the events stream named after the consumer and filtered
 * to its types (`events.*.<type>`), shared by the replicas of a subgraph.
 *
 * Delivery: explicit ack; a failed handler is nak'd with the policy's delay for that attempt; when
 * the delivery count reaches `maxDeliver` the event is published to the DLQ and then acked. In a
 * process, one aggregate's events are handled one at a time in stream order (other aggregates in
 * parallel), and the events after a nak'd one wait for its redelivery. Across replicas sharing a
 * consumer, events of one aggregate may be handled by different replicas.
 */
export class JetStreamBus implements EventBus {
  private readonly subs = new Map<string, Subscription>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private stopSignal!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.stopSignal = resolve));
  private statusLoop: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly streams: Streams,
    private readonly deadLetterStream: DeadLetterStream,
    private readonly logger: Logger,
    private readonly options: ResolvedOptions,
  ) {}

  /** Connects (the client then reconnects forever), creates or updates the streams. */
  static async connect(url: string, logger: Logger, options: JetStreamBusOptions = {}): Promise<JetStreamBus> {
    const resolved = resolveOptions(options);
    const nc = await connectToNats(url, options);
    try {
      const jsm = await jetstreamManager(nc);
      const streams = new Streams(jsm, resolved, logger, supportsMultipleFilters(nc));
      const js = jetstream(nc, { timeout: resolved.publishTimeoutMs });
      const bus = new JetStreamBus(nc, js, streams, new DeadLetterStream(js, jsm, resolved), logger, resolved);
      bus.statusLoop = watchConnection(nc, logger);
      await bus.streams.ensureStreams();
      logger.info(
        { server: nc.getServer(), version: nc.info?.version, stream: resolved.stream, deadLetterStream: resolved.deadLetterStream },
        'connected to NATS JetStream',
      );
      return bus;
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  }

  /** Names this bus uses (for tests and operations). */
  get layout(): { stream: string; subjectPrefix: string; deadLetterStream: string; deadLetterPrefix: string } {
    const { stream, subjectPrefix, deadLetterStream, deadLetterPrefix } = this.options;
    return { stream, subjectPrefix, deadLetterStream, deadLetterPrefix };
  }

  /** What each durable consumer of this process still has to do, as the server counts it. */
  async consumerBacklog(): Promise<ConsumerBacklog[]> {
    const backlog: ConsumerBacklog[] = [];
    for (const sub of this.subs.values()) {
      if (sub.types.size === 0) continue;
      backlog.push({ consumer: sub.options.consumer, ...(await this.streams.backlog(sub.durable)) });
    }
    return backlog;
  }

  /** Resolves once JetStream has stored the event (or recognised it as a duplicate); throws otherwise. */
  async publish(event: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    const subject = eventSubject(this.options.subjectPrefix, event);
    const ack = await this.js.publish(subject, JSON.stringify(event), {
      msgID: event.id,
      timeout: this.options.publishTimeoutMs,
    });
    if (ack.duplicate) this.logger.debug({ eventId: event.id, type: event.type, seq: ack.seq }, 'duplicate event dropped by JetStream');
  }

  async consume(options: ConsumerOptions): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    if (this.subs.has(options.consumer)) throw new Error(`consumer ${options.consumer} already registered`);
    for (const type of options.types) checkSubjectPart('event type', type);
    const sub: Subscription = {
      consumer: options.consumer,
      options,
      durable: token(options.consumer),
      types: new Set(options.types),
      messages: undefined,
      loop: undefined,
      chains: new Map(),
      barriers: new Map(),
      abandoned: new Map(),
      lastErrors: new Map(),
      slots: new Semaphore(Math.max(1, this.options.concurrency)),
      healing: false,
    };
    this.subs.set(options.consumer, sub);
    if (sub.types.size === 0) {
      this.logger.warn({ consumer: options.consumer }, 'consumer wants no event types; nothing to consume');
      return;
    }
    try {
      await this.streams.ensureConsumer(sub);
      const messages = await this.startMessages(sub);
      sub.loop = this.run(sub, messages);
    } catch (error) {
      this.subs.delete(options.consumer);
      throw error;
    }
    this.logger.info({ consumer: options.consumer, durable: sub.durable, types: options.types }, 'consuming events');
  }

  /**
   * Fan-out through core NATS: a plain subscription on `<prefix>.<tenant|*>.<type>` receives every
   * message JetStream stores on that subject, in every process that subscribes, without a consumer
   * at the server. At most once: nothing arrives while this connection is down.
   */
  async subscribe(options: BroadcastOptions): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('event bus is closed');
    const subscriptions = [...new Set(options.types)].map((type) =>
      this.nc.subscribe(typeSubject(this.options.subjectPrefix, type, options.tenantId), {
        callback: (error, msg) => {
          if (error) {
            this.logger.warn({ subject: msg?.subject, err: errorMessage(error) }, 'broadcast subscription error');
            return;
          }
          let event: EventEnvelope;
          try {
            event = parseEnvelope(msg.string());
          } catch (parseError) {
            this.logger.warn({ subject: msg.subject, err: errorMessage(parseError) }, 'unreadable broadcast event skipped');
            return;
          }
          Promise.resolve()
            .then(() => options.handler(event))
            .catch((handlerError: unknown) => this.logger.error({ eventId: event.id, type: event.type, err: errorMessage(handlerError) }, 'broadcast handler failed'));
        },
      }),
    );
    // the server knows of the interest once the flush returns: events published after this reach us
    await this.nc.flush();
    return async () => {
      for (const subscription of subscriptions) if (!subscription.isClosed()) subscription.unsubscribe();
    };
  }

  /**
   * Waits until this process has no handler in flight and every durable consumer registered here
   * has nothing pending or unacknowledged at the server (every event published so far handled or
   * dead-lettered). While NATS is unreachable it keeps waiting.
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.settleLocal();
      if (this.closed || this.nc.isClosed() || this.subs.size === 0) return;
      if ((await this.serverIdle()) && this.inFlight.size === 0) return;
      await sleep(25);
    }
  }

  /** Stops consuming, waits for the handlers in flight, then drains and closes the connection. */
  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Reads the dead-letter stream (optionally one consumer's letters), oldest first. */
  async deadLetters(filter: { consumer?: string } = {}): Promise<DeadLetter[]> {
    return this.deadLetterStream.read(filter);
  }

  /** Recreates the streams and the consumer when the server lost them (e.g. restarted without its storage). */
  private heal(sub: Subscription): void {
    if (sub.healing || this.closed) return;
    sub.healing = true;
    void (async () => {
      try {
        await this.streams.ensureStreams();
        await this.streams.ensureConsumer(sub);
        this.logger.warn({ consumer: sub.options.consumer }, 'stream or consumer was missing and has been recreated');
        // end the current pull loop now rather than after missed heartbeats: `run` starts a fresh one
        await sub.messages?.close();
      } catch (error) {
        this.logger.error({ consumer: sub.options.consumer, err: errorMessage(error) }, 'could not recreate stream or consumer');
      } finally {
        sub.healing = false;
      }
    })();
  }

  // --- consuming ------------------------------------------------------------------------------

  private async startMessages(sub: Subscription): Promise<ConsumerMessages> {
    const consumer = await this.js.consumers.get(this.options.stream, sub.durable);
    const messages = await consumer.consume({ max_messages: this.options.prefetch });
    sub.messages = messages;
    void this.watchConsumer(sub, messages);
    return messages;
  }

  /** Pulls messages until close; if the pull loop ever ends on its own, starts it again. */
  private async run(sub: Subscription, first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    while (!this.closed) {
      if (!messages) {
        try {
          await this.streams.ensureConsumer(sub);
          messages = await this.startMessages(sub);
          this.logger.info({ consumer: sub.options.consumer }, 'consumer restarted');
        } catch (error) {
          this.logger.warn({ consumer: sub.options.consumer, err: errorMessage(error) }, 'could not restart consumer; retrying');
          await sleep(1_000, this.stopped);
          continue;
        }
        if (this.closed) {
          await messages.close();
          break;
        }
      }
      try {
        for await (const msg of messages) {
          try {
            this.dispatch(sub, msg);
          } catch (error) {
            this.logger.error({ consumer: sub.options.consumer, seq: msg.seq, err: errorMessage(error) }, 'could not dispatch message; it will be redelivered');
          }
        }
      } catch (error) {
        if (!this.closed) this.logger.error({ consumer: sub.options.consumer, err: errorMessage(error) }, 'consumer stopped');
      }
      messages = undefined;
      if (!this.closed) await sleep(1_000, this.stopped);
    }
  }

  private async watchConsumer(sub: Subscription, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const status of messages.status()) {
        switch (status.type) {
          case 'heartbeats_missed':
            this.logger.warn({ consumer: sub.options.consumer, missed: status.count }, 'consumer heartbeats missed');
            break;
          case 'consumer_not_found':
          case 'consumer_deleted':
          case 'stream_not_found':
            this.logger.warn({ consumer: sub.options.consumer, status: status.type }, 'consumer lost at the server');
            this.heal(sub);
            break;
          case 'no_responders':
            this.logger.warn({ consumer: sub.options.consumer }, 'JetStream not responding');
            break;
          default:
            break;
        }
      }
    } catch {
      /* the status iterator ends with the messages iterator */
    }
  }

  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private dispatch(sub: Subscription, msg: JsMsg): void {
    const type = splitSubject(this.options.subjectPrefix, msg.subject).rest;
    if (!sub.types.has(type)) {
      msg.ack(); // matched only the wildcard filter of a pre-2.10 server
      return;
    }
    const delivery = new Delivery(msg, type, this.options.ackWaitMs);
    let event: EventEnvelope;
    try {
      event = parseEnvelope(msg.string());
    } catch (error) {
      const raw = msg.string();
      const placeholder = placeholderEnvelope(type, raw, msg.headers?.get('Nats-Msg-Id') || undefined);
      this.track(this.deadLetter(sub, delivery, placeholder, `unreadable event: ${errorMessage(error)}`).catch(() => undefined));
      return;
    }
    const key = `${event.aggregateType}:${event.aggregateId}`;
    const barrier = sub.barriers.get(key);
    if (barrier && barrier.seq === msg.seq) {
      // the redelivery the aggregate's later events wait for: it goes first
      this.track(this.attempt(sub, delivery, event, key));
      return;
    }
    const previous = sub.chains.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      await this.attempt(sub, delivery, event, key);
      const pending = sub.barriers.get(key);
      if (pending && pending.seq === msg.seq) await pending.done;
    });
    sub.chains.set(key, run);
    void run.finally(() => {
      if (sub.chains.get(key) === run) {
        sub.chains.delete(key);
        sub.abandoned.delete(key);
      }
    });
    this.track(run);
  }

  /** One delivery: the handler, then ack, nak with backoff, or dead letter. Never rejects. */
  private async attempt(sub: Subscription, delivery: Delivery, event: EventEnvelope, key: string): Promise<void> {
    const { consumer } = sub.options;
    const { msg } = delivery;
    const attempt = delivery.attempt;
    const abandonedUntil = sub.abandoned.get(key);
    if (this.closed && abandonedUntil !== undefined) {
      // an earlier event of this aggregate waits for redelivery that will not come here: hand this one back after it
      msg.nak(Math.max(0, abandonedUntil - Date.now()) + 100);
      delivery.settled();
      return;
    }
    if (attemptsUsedUp(this.options.delivery, attempt)) {
      const previousError = sub.lastErrors.get(msg.seq) ?? 'delivery attempts exhausted: the last attempt did not complete';
      await this.deadLetter(sub, delivery, event, previousError, key).catch(() => undefined);
      return;
    }
    await sub.slots.acquire();
    let failure: string | undefined;
    try {
      await sub.options.handler(event);
    } catch (error) {
      failure = errorMessage(error);
    } finally {
      sub.slots.release();
    }
    if (failure === undefined) {
      try {
        await msg.ackAck({ timeout: this.options.publishTimeoutMs });
      } catch (error) {
        this.logger.warn({ consumer, eventId: event.id, type: event.type, err: errorMessage(error) }, 'ack not confirmed; the event may be redelivered');
      }
      delivery.settled();
      sub.lastErrors.delete(msg.seq);
      eventsConsumed.inc({ consumer, type: event.type, outcome: attempt === 1 ? 'ok' : 'redelivered' });
      this.releaseBarrier(sub, key, msg.seq);
      return;
    }
    if (isLastAttempt(this.options.delivery, attempt)) {
      await this.deadLetter(sub, delivery, event, failure, key).catch(() => undefined);
      return;
    }
    const wait = retryDelayMs(this.options.delivery, attempt);
    this.logger.warn({ consumer, eventId: event.id, type: event.type, attempt, retryInMs: wait, err: failure }, 'event handler failed; will retry');
    sub.lastErrors.set(msg.seq, failure);
    this.holdAggregate(sub, key, msg.seq, wait);
    msg.nak(wait);
    delivery.settled();
  }

  /** Publishes the event to the dead-letter stream, then acks the original. On failure, naks to try again. */
  private async deadLetter(sub: Subscription, delivery: Delivery, event: EventEnvelope, error: string, key?: string): Promise<void> {
    const { consumer } = sub.options;
    const { msg } = delivery;
    const attempts = delivery.attempt;
    let subject: string;
    try {
      subject = await this.deadLetterStream.publish(msg, { consumer, durable: sub.durable, type: delivery.type, error, attempts });
    } catch (publishError) {
      const lastServerDelivery = isLastServerDelivery(this.options.delivery, attempts);
      this.logger.error(
        { consumer, eventId: event.id, type: event.type, attempts, err: error, dlqErr: errorMessage(publishError) },
        lastServerDelivery ? 'dead letter could not be published on the last delivery JetStream allows: event lost' : 'dead letter could not be published; will retry',
      );
      sub.lastErrors.set(msg.seq, error);
      if (key !== undefined) this.holdAggregate(sub, key, msg.seq, DEAD_LETTER_RETRY_MS);
      msg.nak(DEAD_LETTER_RETRY_MS);
      delivery.settled();
      throw publishError;
    }
    try {
      await msg.ackAck({ timeout: this.options.publishTimeoutMs });
    } catch (ackError) {
      this.logger.warn({ consumer, eventId: event.id, type: event.type, err: errorMessage(ackError) }, 'ack of dead-lettered event not confirmed');
    }
    delivery.settled();
    sub.lastErrors.delete(msg.seq);
    eventsConsumed.inc({ consumer, type: event.type, outcome: 'dead_lettered' });
    eventsDeadLettered.inc({ consumer, type: event.type });
    this.logger.error({ consumer, eventId: event.id, type: event.type, attempts, err: error, subject }, 'event dead-lettered');
    if (key !== undefined) this.releaseBarrier(sub, key, msg.seq);
  }

  /** The aggregate's later events wait until this nak'd message comes back and is done with (or a grace period passes). */
  private holdAggregate(sub: Subscription, key: string, seq: number, waitMs: number): void {
    let barrier = sub.barriers.get(key);
    if (barrier && barrier.seq !== seq) {
      this.releaseBarrier(sub, key, barrier.seq);
      barrier = undefined;
    }
    if (!barrier) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      barrier = { seq, until: 0, timer: undefined, done, resolve };
      sub.barriers.set(key, barrier);
    }
    const held = barrier;
    if (held.timer) clearTimeout(held.timer);
    held.until = Date.now() + waitMs;
    held.timer = setTimeout(() => {
      if (sub.barriers.get(key) !== held) return;
      this.logger.warn(
        { consumer: sub.options.consumer, aggregate: key, seq },
        'redelivery did not come back to this process in time (another replica may have it); continuing with the aggregate',
      );
      this.releaseBarrier(sub, key, seq);
    }, waitMs + REDELIVERY_GRACE_MS);
    held.timer.unref();
  }

  private releaseBarrier(sub: Subscription, key: string, seq: number): void {
    const barrier = sub.barriers.get(key);
    if (!barrier || barrier.seq !== seq) return;
    if (barrier.timer) clearTimeout(barrier.timer);
    sub.barriers.delete(key);
    barrier.resolve();
  }

  // --- drain and close ------------------------------------------------------------------------

  private async settleLocal(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async serverIdle(): Promise<boolean> {
    for (const sub of this.subs.values()) {
      if (sub.types.size === 0) continue;
      if (!(await this.streams.idle(sub.durable))) return false;
    }
    return true;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.stopSignal();
    const subs = [...this.subs.values()];
    await Promise.allSettled(subs.map((sub) => sub.messages?.close()));
    await Promise.allSettled(subs.map((sub) => sub.loop));
    for (const sub of subs) {
      for (const [key, barrier] of [...sub.barriers]) {
        sub.abandoned.set(key, barrier.until);
        this.releaseBarrier(sub, key, barrier.seq);
      }
    }
    await this.settleLocal();
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => undefined);
    }
    await this.statusLoop?.catch(() => undefined);
    this.logger.info('event bus closed');
  }
}
