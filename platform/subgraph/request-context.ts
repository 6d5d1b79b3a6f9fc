import { randomUUID } from 'node:crypto';
import { requireIdentity } from '../auth/access.js';
import type { Identity } from '../auth/identity.js';
import type { EventEnvelope } from '../events/event.js';
import type { Inbox, Outbox, RawSql } from '../events/outbox.js';
import type { EventSink, UnitOfWork } from '../events/unit-of-work.js';
import type { Logger } from '../observability/logger.js';

/** What a subgraph's data looks like to its services: the shapes its DataAccess makes. */
export interface ContextData {
  /** Repositories bound to one tenant. */
  repos: unknown;
  /** Per-request DataLoaders over those repositories. */
  loaders: unknown;
  /** Look-ups made before a tenant is known (sign-in): `{}` for most subgraphs. */
  directory: unknown;
}

/** How a subgraph reaches its data; the platform makes each part on first use in a context. */
export interface DataAccess<TClient, D extends ContextData> {
  /** Repositories bound to `tenantId`, on `db`: the process's client, or a transaction's. */
  repositories(db: TClient, tenantId: string): D['repos'];
  loaders(repos: D['repos'], directory: D['directory']): D['loaders'];
  directory?(db: TClient): D['directory'];
}

/**
 * What every service method takes first (after Vendure's RequestContext): who calls, for which
 * tenant, and the repositories bound to that tenant on this context's connection. A service owns
 * its transactions through `transaction`, which hands it the same context on the transaction.
 */
export interface RequestContext<D extends ContextData = ContextData> {
  readonly requestId: string;
  readonly logger: Logger;
  /** The verified caller: null for sign-in and inside event consumers. */
  readonly identity: Identity | null;
  /** The caller, or UNAUTHENTICATED. */
  readonly caller: Identity;
  /** The caller's tenant, or the one an event (or the sign-in) named; UNAUTHENTICATED without either. */
  readonly tenantId: string;
  readonly repos: D['repos'];
  readonly loaders: D['loaders'];
  readonly directory: D['directory'];
  /** Runs `work` in one transaction whose outbox events commit with it; inside one already, in that one. */
  transaction<R>(work: (tx: TransactionContext<D>) => Promise<R>): Promise<R>;
  /**
   * Outside a transaction: runs `write`, one statement that makes a change and writes its events to
   * the outbox itself (`outbox.cte`): a statement is its own transaction, without the BEGIN and
   * COMMIT round trips of `transaction`. `write` returns the events the statement wrote (none when it
   * changed nothing); they count as committed, as a transaction's do after its commit.
   */
  statementWithEvents<R>(write: (outbox: Outbox) => Promise<{ result: R; written: readonly EventEnvelope[] }>): Promise<R>;
  /**
   * In a context made for an event: runs `work` in a transaction that first claims the event for
   * its consumer, and does not run it when the consumer had claimed it already (a redelivery:
   * undefined). In a consumer's batch the claim is made with the other events' in one statement.
   */
  transactionOnce<R>(work: (tx: TransactionContext<D>) => Promise<R>): Promise<R | undefined>;
  /** This request for one tenant named by other means than the caller: sign-in, events. */
  forTenant(tenantId: string): RequestContext<D>;
  /** The events this request's transactions wrote to the outbox and committed, in order. */
  readonly committedEvents: readonly EventEnvelope[];
}

export interface TransactionContext<D extends ContextData = ContextData> extends RequestContext<D> {
  /** Writes `event` to the outbox in this transaction: it is published once the transaction commits. */
  emit(event: EventEnvelope): Promise<void>;
  /**
   * In a context made for an event: records in this transaction that its consumer handled it;
   * false when it already had (a redelivery), and the caller then changes nothing.
   */
  claimEvent(): Promise<boolean>;
}

/**
 * Where a consumer's transactions go when its events are applied in batches (event-batches.ts):
 * `work` runs inside a transaction shared with other events; `preclaimed` when the batch claims the
 * event itself (then `claimEvent` inside answers from that claim).
 */
export interface EventBatch {
  submit<R>(event: EventEnvelope, work: (tx: TransactionContext<any>) => Promise<R>, preclaimed: boolean): Promise<R>;
}

/** What a context needs that outlives the request. */
export interface ContextRuntime<TClient, D extends ContextData> {
  db: TClient;
  uow: UnitOfWork<RawSql>;
  inbox: Inbox;
  data: DataAccess<TClient, D>;
}

interface Scope {
  requestId: string;
  logger: Logger;
  identity: Identity | null;
  /** A tenant named by other means than the caller (an event, a sign-in). */
  tenantId?: string;
  /** The event and consumer a consumer's context was made for. */
  event?: { consumer: string; id: string };
  /** Shared by every context of the request (forTenant copies the scope, not the list). */
  committed: EventEnvelope[];
  /** Set when a batch claimed the event already, in this transaction: what that claim found. */
  claimed?: { value: boolean };
  /** The batch a consumer's context sends its transactions to, and the event it was made for. */
  batch?: { runner: EventBatch; event: EventEnvelope };
}

class SubgraphRequestContext<TClient, D extends ContextData> implements TransactionContext<D> {
  private made: { repos?: D['repos']; loaders?: D['loaders']; directory?: D['directory'] } = {};

  constructor(
    private readonly runtime: ContextRuntime<TClient, D>,
    private readonly scope: Scope,
    private readonly db: TClient,
    private readonly sink: EventSink | undefined,
  ) {}

  get requestId(): string {
    return this.scope.requestId;
  }

  get logger(): Logger {
    return this.scope.logger;
  }

  get identity(): Identity | null {
    return this.scope.identity;
  }

  get caller(): Identity {
    return requireIdentity(this.scope.identity);
  }

  get tenantId(): string {
    return this.scope.tenantId ?? this.caller.tenantId;
  }

  get repos(): D['repos'] {
    return (this.made.repos ??= this.runtime.data.repositories(this.db, this.tenantId));
  }

  get loaders(): D['loaders'] {
    return (this.made.loaders ??= this.runtime.data.loaders(this.repos, this.directory));
  }

  get directory(): D['directory'] {
    return (this.made.directory ??= this.runtime.data.directory?.(this.db) ?? ({} as D['directory']));
  }

  get committedEvents(): readonly EventEnvelope[] {
    return this.scope.committed;
  }

  async transaction<R>(work: (tx: TransactionContext<D>) => Promise<R>): Promise<R> {
    if (this.sink) return work(this);
    // a consumer's transaction joins its batch (consumers are no requests: nothing to record for committedEvents)
    if (this.scope.batch) return this.scope.batch.runner.submit(this.scope.batch.event, work, false);
    const written: EventEnvelope[] = [];
    const result = await this.runtime.uow.execute((tx, sink) => {
      written.length = 0; // a retried transaction starts over
      const recording: EventSink = {
        emit: async (event) => {
          written.push(event);
          await sink.emit(event);
        },
        emitAll: async (events) => {
          written.push(...events);
          await sink.emitAll(events);
        },
      };
      return work(new SubgraphRequestContext(this.runtime, this.scope, tx as TClient, recording));
    });
    this.scope.committed.push(...written);
    return result;
  }

  async statementWithEvents<R>(write: (outbox: Outbox) => Promise<{ result: R; written: readonly EventEnvelope[] }>): Promise<R> {
    if (this.sink || this.scope.batch) throw new Error('statementWithEvents inside a transaction: emit the events there');
    const { result, written } = await write(this.runtime.uow.outbox);
    this.runtime.uow.committedAlone(written.map((event) => event.id));
    this.scope.committed.push(...written);
    return result;
  }

  async transactionOnce<R>(work: (tx: TransactionContext<D>) => Promise<R>): Promise<R | undefined> {
    if (!this.scope.event) throw new Error('transactionOnce in a context made for a request, not for an event');
    if (!this.sink && this.scope.batch) return this.scope.batch.runner.submit(this.scope.batch.event, work, true);
    return this.transaction(async (tx) => ((await tx.claimEvent()) ? work(tx) : undefined));
  }

  forTenant(tenantId: string): RequestContext<D> {
    return new SubgraphRequestContext(this.runtime, { ...this.scope, tenantId }, this.db, this.sink);
  }

  async emit(event: EventEnvelope): Promise<void> {
    if (!this.sink) throw new Error('emit outside a transaction: events are written with the change they announce');
    await this.sink.emit(event);
  }

  async claimEvent(): Promise<boolean> {
    if (!this.sink) throw new Error('claimEvent outside a transaction: the claim commits with the effect');
    if (!this.scope.event) throw new Error('claimEvent in a context made for a request, not for an event');
    if (this.scope.claimed) {
      const { value } = this.scope.claimed;
      this.scope.claimed.value = false; // claimed once: a second claim finds it taken
      return value;
    }
    return this.runtime.inbox.claim(this.db as RawSql, this.scope.event.consumer, this.scope.event.id);
  }
}

/** The context of one GraphQL request, for the caller the gateway vouched for. */
export function requestContext<TClient, D extends ContextData>(
  runtime: ContextRuntime<TClient, D>,
  request: { requestId: string; logger: Logger; identity: Identity | null },
): RequestContext<D> {
  return new SubgraphRequestContext(runtime, { ...request, committed: [] }, runtime.db, undefined);
}

/** What a consumer's context knows of its event: the event's tenant, no caller, logs naming the event. */
function eventScope(logger: Logger, consumer: string, event: EventEnvelope): Scope {
  return {
    requestId: event.id || randomUUID(),
    logger: logger.child({ consumer, eventId: event.id, eventType: event.type }),
    identity: null,
    tenantId: event.tenantId,
    event: { consumer, id: event.id },
    committed: [],
  };
}

/** The context a consumer handles one event in: no caller, the event's tenant, its id claimable. */
export function eventContext<TClient, D extends ContextData>(
  runtime: ContextRuntime<TClient, D>,
  logger: Logger,
  consumer: string,
  event: EventEnvelope,
  batch?: EventBatch,
): RequestContext<D> {
  return new SubgraphRequestContext(
    runtime,
    { ...eventScope(logger, consumer, event), ...(batch ? { batch: { runner: batch, event } } : {}) },
    runtime.db,
    undefined,
  );
}

/**
 * The context one event of a batch is applied in: the batch's transaction, an event sink of its own
 * (so the batch can drop the events of one that failed), and the claim the batch already made for it.
 */
export function batchedEventContext<TClient, D extends ContextData>(
  runtime: ContextRuntime<TClient, D>,
  logger: Logger,
  consumer: string,
  event: EventEnvelope,
  tx: TClient,
  sink: EventSink,
  claimed: boolean | undefined,
): TransactionContext<D> {
  return new SubgraphRequestContext(
    runtime,
    { ...eventScope(logger, consumer, event), ...(claimed === undefined ? {} : { claimed: { value: claimed } }) },
    tx,
    sink,
  );
}
