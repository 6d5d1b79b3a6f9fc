import { setTimeout as delay } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from '../../observability/logger.js';
import type { BroadcastOptions, ConsumerBacklog, ConsumerOptions, DeadLetter, EventBus } from '../bus.js';
import type { EventEnvelope } from '../event.js';
import { connectToNats, supportsMultipleFilters, watchConnection } from './connection.js';
import { DeadLetterStream } from './dead-letters.js';
import { errorMessage } from './error-message.js';
import { parseEnvelope } from './event-body.js';
import { resolveOptions, type JetStreamBusOptions, type ResolvedOptions } from './options.js';
import { OrderedConsumption } from './ordered-consumption.js';
import { PullLoop } from './pull-loop.js';
import { Streams } from './streams.js';
import { checkSubjectPart, eventSubject, typeSubject } from './subjects.js';

export type { JetStreamBusOptions } from './options.js';

/** One `consume` of this process: its deliveries and the pull that feeds them (none when it wants no types). */
interface Registration {
  consumption: OrderedConsumption;
  pull: PullLoop | undefined;
}

/**
 * The distributed bus: NATS JetStream, with the same contract as {@link InProcessBus}.
 *
 * Layout (streams.ts, subjects.ts): one stream of domain events (default `EVENTS`, subjects
 * `events.>`; an event goes to `events.<tenantId>.<type>` with its id as `Nats-Msg-Id`, so JetStream
 * drops a duplicate publish within the duplicate window), one stream of dead letters (default `DLQ`,
 * subjects `dlq.>`; a dead letter goes to `dlq.<consumer>.<type>` with the event as body and `Dlq-*`
 * headers: dead-letters.ts), and per `consume` one durable pull consumer on the events stream named
 * after the consumer and filtered to its types (`events.*.<type>`), shared by the replicas of a
 * subgraph.
 *
 * Delivery (ordered-consumption.ts, delivery-policy.ts): explicit ack; a failed handler is nak'd
 * with the policy's delay for that attempt; when the delivery count reaches `maxDeliver` the event
 * is published to the DLQ and then acked. In a process, one aggregate's events are handled one at a
 * time in stream order (other aggregates in parallel), and the events after a nak'd one wait for its
 * redelivery. Across replicas sharing a consumer, events of one aggregate may be handled by
 * different replicas.
 */
export class JetStreamBus implements EventBus {
  private readonly registrations = new Map<string, Registration>();
  private closed = false;
  private closing: Promise<void> | undefined;
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
      await streams.ensureStreams();
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
    for (const { consumption } of this.pulling()) {
      backlog.push({ consumer: consumption.consumer, ...(await this.streams.backlog(consumption.durable)) });
    }
    return backlog;
  }

  /** Resolves once JetStream has stored the event (or recognised it as a duplicate); throws otherwise. */
  async publish(event: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    await this.store(event);
  }

  async consume(options: ConsumerOptions): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    if (this.registrations.has(options.consumer)) throw new Error(`consumer ${options.consumer} already registered`);
    for (const type of options.types) checkSubjectPart('event type', type);
    const consumption = new OrderedConsumption(options, this.options, this.deadLetterStream, this.logger);
    const registration: Registration = { consumption, pull: undefined };
    this.registrations.set(options.consumer, registration);
    if (consumption.types.size === 0) {
      this.logger.warn({ consumer: options.consumer }, 'consumer wants no event types; nothing to consume');
      return;
    }
    try {
      await this.streams.ensureConsumer(consumption);
      registration.pull = new PullLoop(this.js, this.streams, consumption, this.options, this.logger);
      await registration.pull.start();
    } catch (error) {
      this.registrations.delete(options.consumer);
      throw error;
    }
    this.logger.info({ consumer: options.consumer, durable: consumption.durable, types: options.types }, 'consuming events');
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
      if (this.closed || this.nc.isClosed() || this.registrations.size === 0) return;
      if ((await this.serverIdle()) && !this.busy()) return;
      await delay(25);
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

  /** One event to its subject, awaiting JetStream's ack (several can be under way and their acks awaited together). */
  private async store(event: EventEnvelope): Promise<void> {
    const subject = eventSubject(this.options.subjectPrefix, event);
    const ack = await this.js.publish(subject, JSON.stringify(event), {
      msgID: event.id,
      timeout: this.options.publishTimeoutMs,
    });
    if (ack.duplicate) this.logger.debug({ eventId: event.id, type: event.type, seq: ack.seq }, 'duplicate event dropped by JetStream');
  }

  /** The registrations with a durable consumer at the server. */
  private pulling(): Registration[] {
    return [...this.registrations.values()].filter(({ consumption }) => consumption.types.size > 0);
  }

  private busy(): boolean {
    for (const { consumption } of this.registrations.values()) if (consumption.busy) return true;
    return false;
  }

  private async settleLocal(): Promise<void> {
    while (this.busy()) await Promise.allSettled([...this.registrations.values()].map(({ consumption }) => consumption.settled()));
  }

  private async serverIdle(): Promise<boolean> {
    for (const { consumption } of this.pulling()) {
      if (!(await this.streams.idle(consumption.durable))) return false;
    }
    return true;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    const registrations = [...this.registrations.values()];
    await Promise.allSettled(registrations.map(({ pull }) => pull?.stop()));
    for (const { consumption } of registrations) consumption.abandonBarriers();
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
