import type { Logger } from '../observability/logger.js';
import { eventsConsumed, eventsDeadLettered } from '../observability/metrics.js';
import { DEFAULT_DELIVERY, type BroadcastOptions, type ConsumerOptions, type DeadLetter, type DeliveryPolicy, type EventBus } from './bus.js';
import type { EventEnvelope } from './event.js';

const DEDUPE_WINDOW = 10_000;

/**
 * The embedded bus: the same contract as the JetStream bus (dedupe by event id, durable consumers,
 * per-aggregate order, retries with backoff, dead letters), kept in memory of one process.
 */
export class InProcessBus implements EventBus {
  private readonly consumers = new Map<string, ConsumerOptions>();
  private readonly listeners = new Set<BroadcastOptions & { wanted: Set<string> }>();
  /** Per consumer and aggregate, the tail of the delivery chain: keeps one aggregate's events in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly policy: DeliveryPolicy = DEFAULT_DELIVERY,
  ) {}

  async publish(event: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    if (this.seen.has(event.id)) return;
    this.remember(event.id);
    for (const consumer of this.consumers.values()) {
      if (consumer.types.includes(event.type)) this.deliver(consumer, structuredClone(event));
    }
    for (const listener of this.listeners) {
      if (listener.wanted.has(event.type) && (listener.tenantId === undefined || listener.tenantId === event.tenantId)) this.broadcast(listener, structuredClone(event));
    }
  }

  async subscribe(options: BroadcastOptions): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('event bus is closed');
    const listener = { ...options, wanted: new Set(options.types) };
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async consume(options: ConsumerOptions): Promise<void> {
    if (this.consumers.has(options.consumer)) throw new Error(`consumer ${options.consumer} already registered`);
    this.consumers.set(options.consumer, options);
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private remember(id: string): void {
    this.seen.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > DEDUPE_WINDOW) this.seen.delete(this.seenOrder.shift()!);
  }

  /** After the publisher's turn, like a message arriving: a listener never runs inside `publish`. */
  private broadcast(listener: BroadcastOptions, event: EventEnvelope): void {
    Promise.resolve()
      .then(() => listener.handler(event))
      .catch((error: unknown) => {
        this.logger.error({ eventId: event.id, type: event.type, err: error instanceof Error ? error.message : String(error) }, 'broadcast handler failed');
      });
  }

  private deliver(consumer: ConsumerOptions, event: EventEnvelope): void {
    const key = `${consumer.consumer}\u0000${event.aggregateType}:${event.aggregateId}`;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.handleWithRetry(consumer, event));
    this.chains.set(key, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
  }

  private async handleWithRetry(consumer: ConsumerOptions, event: EventEnvelope): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await consumer.handler(event);
        eventsConsumed.inc({ consumer: consumer.consumer, type: event.type, outcome: attempt === 1 ? 'ok' : 'redelivered' });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= this.policy.maxDeliver || this.closed) {
          eventsConsumed.inc({ consumer: consumer.consumer, type: event.type, outcome: 'dead_lettered' });
          eventsDeadLettered.inc({ consumer: consumer.consumer, type: event.type });
          this.deadLetters.push({ consumer: consumer.consumer, event, error: message, attempts: attempt, at: new Date().toISOString() });
          this.logger.error({ consumer: consumer.consumer, eventId: event.id, type: event.type, attempts: attempt, err: message }, 'event dead-lettered');
          return;
        }
        const wait = this.policy.backoffMs[Math.min(attempt - 1, this.policy.backoffMs.length - 1)] ?? 1_000;
        this.logger.warn({ consumer: consumer.consumer, eventId: event.id, type: event.type, attempt, retryInMs: wait, err: message }, 'event handler failed; will retry');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}
