import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { AccountEvents } from '#contracts';
import { COMMITTED_EVENTS_EXTENSION, looksLikeEvent, type EventBus, type EventEnvelope } from '#platform/events';
import type { Logger } from '#platform/observability';
import type { GatewayContext } from '../context.js';
import type { EdgeStore } from '../edge-store/edge-store.js';

/** Access tokens live at most JWT_TTL_SECONDS (at most a day): an ended session is remembered that long. */
const REMEMBER_SECONDS = 86_400;
/** Session ids whose listeners were told already (the answer and the bus both bring each end). */
const TOLD_WINDOW = 10_000;

/** Told once per ended session and process, whichever way the gateway heard of it first. */
export type SessionEndedListener = (sessionId: string, userId: string, tenantId: string) => void;

type SessionEndedEvent = EventEnvelope<{ sessionId: string; userId: string; reason: string }>;

function isSessionEnded(event: unknown): event is SessionEndedEvent {
  if (!looksLikeEvent(event) || event.type !== AccountEvents.sessionEnded.type) return false;
  const payload = event.payload as Partial<SessionEndedEvent['payload']>;
  return typeof payload.sessionId === 'string' && payload.sessionId.length > 0 && typeof payload.userId === 'string';
}

/**
 * Which sessions have ended, as accounts ends them (`logout`, a reused refresh token): accounts
 * commits `accounts.session.ended` with the revocation, and the gateway hears it two ways:
 *
 * - on the answer of the request that ended it (accounts returns the committed event with its
 *   response), so the replica that answers refuses the session before the client hears back,
 *   whatever the operation looked like (fragments, aliases, batches, trusted documents or not);
 * - from the bus (in-process when embedded, NATS fan-out when distributed), so every other replica
 *   refuses it as soon as the event arrives, and at once when they share the Redis edge store.
 *
 * Ended sessions are kept in the edge store (memory or Redis) for as long as a token can live.
 */
export class SessionEnds {
  private readonly listeners = new Set<SessionEndedListener>();
  private readonly told = new Set<string>();
  private readonly toldOrder: string[] = [];
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly store: EdgeStore,
    private readonly logger: Logger,
  ) {}

  /** Starts hearing session ends of every tenant from the bus. */
  async listen(bus: EventBus): Promise<void> {
    this.unsubscribe = await bus.subscribe({ types: [AccountEvents.sessionEnded.type], handler: (event) => this.receive(event) });
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.listeners.clear();
  }

  /** True once the session has ended (then every access token of it is refused). */
  isSessionEnded(sessionId: string): Promise<boolean> {
    return this.store.isSessionRevoked(sessionId);
  }

  /** `listener` is called once per session that ends from now on; returns the function that stops it. */
  onSessionEnded(listener: SessionEndedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A `accounts.session.ended` event, from the bus or from an answer of accounts. */
  async receive(event: unknown): Promise<void> {
    if (!isSessionEnded(event)) return;
    const { sessionId, userId } = event.payload;
    await this.store.revokeSession(sessionId, REMEMBER_SECONDS);
    if (this.told.has(sessionId)) return;
    this.told.add(sessionId);
    this.toldOrder.push(sessionId);
    if (this.toldOrder.length > TOLD_WINDOW) this.told.delete(this.toldOrder.shift()!);
    for (const listener of this.listeners) {
      try {
        listener(sessionId, userId, event.tenantId);
      } catch (error) {
        this.logger.error({ err: error, sessionId }, 'session-ended listener failed');
      }
    }
  }

  /**
   * The data source of `subgraph`, reading the events accounts commits and returns with its answer
   * (only accounts ends sessions) before the gateway goes on with the response.
   */
  watch(subgraph: string, source: GraphQLDataSource<GatewayContext>): GraphQLDataSource<GatewayContext> {
    if (subgraph !== 'accounts') return source;
    return {
      process: async (options: GraphQLDataSourceProcessOptions<GatewayContext>) => {
        const response = await source.process(options);
        const events = response.extensions?.[COMMITTED_EVENTS_EXTENSION];
        if (Array.isArray(events)) for (const event of events) await this.receive(event);
        return response;
      },
    };
  }
}
