import { GraphQLError, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Identity } from '#platform/auth';
import type { Logger } from '#platform/observability';
import type { GatewayContext } from '../context.js';
import { SUBGRAPH_UNAVAILABLE_CODE } from './close-codes.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import type { EntityChange } from './entity-changes.js';
import { liveSubscriptions, liveTopics, subscriptionEvents, subscriptionExecution, subscriptionMessages, subscriptionResultsDropped, subscriptionStage } from './metrics.js';
import type { SubscribeRequest } from './operation-preparer.js';
import type { EarlyAnswers, EntityFetchResult, PlanExecutor } from './plan-executor.js';
import type { SocketSession } from './socket-session.js';
import { mayConcern, visibilityOf } from './subscription-fields.js';
import type { SubscriberQueue } from './subscriber-queue.js';

/** Keeps the bus delivering a tenant's events here while it has subscribers. */
export interface TenantInterest {
  retain(tenantId: string): Promise<void>;
  release(tenantId: string): void;
}

export interface HubOptions {
  executor: PlanExecutor;
  interest: TenantInterest;
  fetchConcurrency: number;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
  /** Waits between attempts to reach the subgraph of the entity fetch; then the event is reported unavailable. */
  retryDelaysMs?: number[];
}

const DEFAULT_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000];

/** Executions of one entity in one topic. */
interface EntityRuns {
  running: number;
  /** Start number of the newest execution (a run older than it was overtaken by a newer event). */
  newest: number;
  /** Results dropped in a row because a newer event overtook them. */
  superseded: number;
  pending: EntityChange | undefined;
}

/**
 * Executions of one entity that may run at once in a topic. An event need not wait for the earlier
 * ones' fetches: one order's saga emits five or six events within about 100 ms, and waiting behind
 * them was most of the tail (bench/subscriptions, 10,000 subscribers: p95 from about 260 to about
 * 150 ms going from 2 to 6). Past that, further events wait and merge (latest wins).
 */
const RUNS_PER_ENTITY = 6;

/**
 * Results in a row one entity's runs may drop because a newer event of it arrived meanwhile; then
 * one goes out anyway, so an entity that changes all the time still shows its changes. As many as
 * run at once (RUNS_PER_ENTITY): a burst of that many events sends only the newest result.
 */
const MAX_SUPERSEDED_IN_A_ROW = RUNS_PER_ENTITY;

/** An execution given up before a fetch because a newer event of its entity overtook it. */
const SUPERSEDED = Symbol('superseded');

/** A result ready to hand to queues, with when its reads started and its fingerprint (see SubscriberQueue). */
interface Produced {
  result: FormattedExecutionResult;
  readAt?: number;
  fingerprint?: string;
}

/**
 * Identical subscriptions (same document, variables, tenant and visibility) as one: one upstream
 * subscription, one execution per event, its result handed to every member's queue.
 */
class Topic {
  readonly members = new Map<SubscriberQueue, Identity>();
  /** Entities with executions running, and the change waiting for one to finish (latest wins). */
  readonly entities = new Map<string, EntityRuns>();

  constructor(
    readonly key: string,
    readonly tenantId: string,
    readonly request: SubscribeRequest,
    readonly matches: (change: EntityChange) => boolean,
    /** Whose identity the fetches carry: any member's (they all see the same). */
    public identity: Identity,
  ) {}
}

/**
 * Routes entity changes to the topics they concern and runs each topic's plan once per change with
 * the subscriber's identity: the entity fetch (null: not visible, dropped), then the rest of the
 * plan. At most six executions of one entity run at once per topic (more changes wait, latest
 * wins); different entities in parallel, within the process-wide fetch concurrency. What reaches a
 * queue is filtered there: never older than, nor the same as, what the subscription already has.
 */
export class SubscriptionHub {
  private readonly topics = new Map<string, Topic>();
  /** `<tenant>\0<typename>` → topics, customers' by user: an order event goes to its owner's topics only. */
  private readonly index = new Map<string, { admins: Set<Topic>; byUser: Map<string, Set<Topic>> }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly limit: ConcurrencyLimit;
  private readonly retryDelaysMs: number[];
  /** Entity reads started so far: a read's number orders it before every read started after it. */
  private reads = 0;
  /** Executions started so far (orders them per entity). */
  private starts = 0;
  private stopped = false;

  constructor(private readonly options: HubOptions) {
    this.limit = new ConcurrencyLimit(options.fetchConcurrency);
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  get topicCount(): number {
    return this.topics.size;
  }

  async subscribe(request: SubscribeRequest, identity: Identity, session: SocketSession): Promise<SubscriberQueue> {
    await this.options.interest.retain(identity.tenantId);
    const key = `${request.key}|${visibilityOf(identity)}`;
    let topic = this.topics.get(key);
    if (!topic) {
      topic = new Topic(key, identity.tenantId, request, request.field.filter(request.args), identity);
      this.topics.set(key, topic);
      this.indexed(topic, true);
      liveTopics.inc();
    }
    const joined = topic;
    const queue = session.openQueue((q) => this.leave(joined, q));
    joined.members.set(queue, identity);
    liveSubscriptions.inc({ field: request.target.plan.fieldName });
    // joined first, read second: an event from now on reaches this queue, and the guard in the queue
    // drops whatever was read before the snapshot or says nothing new
    for (const id of request.field.initial(request.args)) this.track(this.answerFirst(joined, queue, identity, id));
    const { changedSince } = request.field;
    if (changedSince && typeof request.args.since === 'string' && request.field.initial(request.args).length === 0) {
      this.track(this.catchUp(joined, queue, identity, changedSince, request.args.since));
    }
    return queue;
  }

  /** The entities that changed after `since`, each as it is now, oldest change first, to this subscriber only. */
  private async catchUp(topic: Topic, queue: SubscriberQueue, identity: Identity, source: { field: string; limit: number }, since: string): Promise<void> {
    const { target } = topic.request;
    const context: GatewayContext = { requestId: `since-${Date.now()}`, identity, authError: null, logger: this.options.logger };
    let ids: string[];
    try {
      const data = await this.limit.run(() =>
        this.options.executor.query(
          target,
          target.plan.entityFetch.serviceName,
          `query ChangedSince($since:DateTime!,$limit:Int!){${source.field}(since:$since,limit:$limit){id}}`,
          { since, limit: source.limit },
          context,
        ),
      );
      const listed = data[source.field];
      ids = Array.isArray(listed) ? listed.map((entity) => String((entity as { id: unknown }).id).toLowerCase()) : [];
    } catch (error) {
      this.options.logger.warn({ topic: topic.key, err: error instanceof Error ? error.message : String(error) }, 'could not list what changed since');
      if (topic.members.has(queue)) {
        queue.push({
          entity: '',
          result: {
            data: null,
            errors: [{ message: `Could not list what changed since ${since}; query it, then keep applying results.`, extensions: { code: SUBGRAPH_UNAVAILABLE_CODE, serviceName: target.plan.entityFetch.serviceName } }],
            extensions: { snapshot: true },
          },
        });
      }
      return;
    }
    // one after the other: the subscriber gets them in the order they changed
    for (const id of ids) {
      if (!topic.members.has(queue)) return;
      await this.answerFirst(topic, queue, identity, id);
    }
  }

  dispatch(change: EntityChange): void {
    if (this.stopped) return;
    const indexed = this.index.get(`${change.tenantId}\u0000${change.typename}`);
    if (!indexed) return;
    const consider = (topic: Topic) => {
      if (topic.matches(change) && mayConcern(topic.identity, change)) this.offer(topic, change);
    };
    indexed.admins.forEach(consider);
    // every order event of the catalogue names its customer; one that does not (an older publisher)
    // goes to the tenant's admins only: asking every customer topic of the tenant would be a fetch
    // per connected customer for a single event
    if (change.ownerId !== undefined) indexed.byUser.get(change.ownerId)?.forEach(consider);
  }

  /** Ends every subscription with `last` as its final result (a schema change). */
  endAll(last: FormattedExecutionResult): void {
    for (const topic of [...this.topics.values()]) {
      for (const queue of [...topic.members.keys()]) queue.finish(last);
    }
  }

  /** Waits for the executions in flight: their results are in the queues after it. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** No new executions; the ones in flight finish (see `settle`). */
  stop(): void {
    this.stopped = true;
  }

  private leave(topic: Topic, queue: SubscriberQueue): void {
    const identity = topic.members.get(queue);
    if (!identity) return;
    topic.members.delete(queue);
    liveSubscriptions.dec({ field: topic.request.target.plan.fieldName });
    this.options.interest.release(topic.tenantId);
    if (topic.members.size > 0) {
      if (topic.identity === identity) topic.identity = topic.members.values().next().value!;
      return;
    }
    this.topics.delete(topic.key);
    this.indexed(topic, false);
    for (const runs of topic.entities.values()) runs.pending = undefined;
    liveTopics.dec();
  }

  private indexed(topic: Topic, add: boolean): void {
    const key = `${topic.tenantId}\u0000${topic.request.field.typename}`;
    let entry = this.index.get(key);
    if (!entry) {
      if (!add) return;
      entry = { admins: new Set(), byUser: new Map() };
      this.index.set(key, entry);
    }
    // a topic's members all see the same: its first identity places it for good
    const { identity } = topic;
    const user = identity.userId.toLowerCase();
    if (identity.role === 'ADMIN') {
      if (add) entry.admins.add(topic);
      else entry.admins.delete(topic);
    } else if (add) {
      const topics = entry.byUser.get(user) ?? new Set<Topic>();
      topics.add(topic);
      entry.byUser.set(user, topics);
    } else {
      entry.byUser.get(user)?.delete(topic);
      if (entry.byUser.get(user)?.size === 0) entry.byUser.delete(user);
    }
    if (entry.admins.size === 0 && entry.byUser.size === 0) this.index.delete(key);
  }

  private offer(topic: Topic, change: EntityChange): void {
    let runs = topic.entities.get(change.id);
    if (!runs) {
      runs = { running: 0, newest: 0, superseded: 0, pending: undefined };
      topic.entities.set(change.id, runs);
    }
    if (runs.running >= RUNS_PER_ENTITY) {
      runs.pending = change;
      return;
    }
    this.track(this.runEntity(topic, runs, change));
  }

  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async runEntity(topic: Topic, runs: EntityRuns, first: EntityChange): Promise<void> {
    let change: EntityChange | undefined = first;
    runs.running += 1;
    try {
      while (change && topic.members.size > 0) {
        const started = (this.starts += 1);
        runs.newest = started;
        try {
          // a newer event of this entity came in while the result was assembled: its execution reads
          // every subgraph again, after that event, and goes out instead of a result that may straddle
          // it. Known before a fetch, the fetches still to come are skipped: their result would be dropped
          const overtaken = () => (runs.newest !== started || runs.pending !== undefined) && runs.superseded < MAX_SUPERSEDED_IN_A_ROW;
          const produced = await this.execute(topic, change, topic.identity, { event: eventStamp(change) }, false, overtaken);
          if (produced === SUPERSEDED || (produced && overtaken())) {
            runs.superseded += 1;
            subscriptionResultsDropped.inc({ reason: 'superseded' });
          } else if (produced) {
            runs.superseded = 0;
            this.deliver(topic, change, produced, topic.members.keys());
          }
        } catch (error) {
          subscriptionEvents.inc({ field: topic.request.target.plan.fieldName, outcome: 'failed' });
          this.options.logger.error({ eventId: change.eventId, topic: topic.key, err: error instanceof Error ? error.message : String(error) }, 'subscription event failed');
        }
        change = runs.pending;
        runs.pending = undefined;
      }
    } finally {
      runs.running -= 1;
      if (runs.running === 0 && topic.entities.get(first.id) === runs) topic.entities.delete(first.id);
    }
  }

  /** The first answer of a new subscription: the entity as it is now, to that subscriber only. */
  private async answerFirst(topic: Topic, queue: SubscriberQueue, identity: Identity, id: string): Promise<void> {
    const now = Date.now();
    const change: EntityChange = {
      tenantId: identity.tenantId,
      typename: topic.request.field.typename,
      id,
      ownerId: undefined,
      eventId: `snapshot-${now}`,
      occurredAt: new Date(now).toISOString(),
      committedAt: undefined,
      receivedAt: now,
    };
    try {
      // the subscriber asked for this entity by its id: an unreachable subgraph tells them nothing new
      const produced = await this.execute(topic, change, identity, { snapshot: true }, true);
      if (produced && produced !== SUPERSEDED && topic.members.has(queue)) this.deliver(topic, change, produced, [queue]);
    } catch (error) {
      this.options.logger.error({ topic: topic.key, err: error instanceof Error ? error.message : String(error) }, 'first answer of a subscription failed');
    }
  }

  /**
   * The plan for one change with one identity: the entity fetch (null: not visible), then the rest.
   * Returns the formatted result, or null when there is nothing to send.
   */
  private async execute(
    topic: Topic,
    change: EntityChange,
    identity: Identity,
    stamp: Record<string, unknown>,
    askedFor = false,
    /** True once a newer event overtook this execution: the fetches not yet started are skipped. */
    superseded: () => boolean = () => false,
  ): Promise<Produced | null | typeof SUPERSEDED> {
    const { target, variables } = topic.request;
    const field = target.plan.fieldName;
    const context: GatewayContext = { requestId: change.eventId, identity, authError: null, logger: this.options.logger };
    const knownVisible = askedFor || identity.role === 'ADMIN' || change.ownerId === identity.userId.toLowerCase();

    let fetched: { fetched: EntityFetchResult; early: EarlyAnswers } | typeof SUPERSEDED;
    let readAt = 0;
    // stage timings of event results only (a first answer has no event)
    let fetchStarted = 0;
    try {
      fetched = await this.fetchEntity(topic, change, context, superseded, (at) => {
        readAt = at;
        fetchStarted = performance.now();
        if (!askedFor) subscriptionStage.observe({ stage: 'queued' }, Math.max(0, Date.now() - change.receivedAt) / 1_000);
      });
    } catch (error) {
      subscriptionEvents.inc({ field, outcome: 'unavailable' });
      this.options.logger.warn({ eventId: change.eventId, subgraph: target.plan.entityFetch.serviceName, err: error instanceof Error ? error.message : String(error) }, 'entity fetch failed after retries');
      // only to callers the event is known to concern: others must not learn that something happened
      return knownVisible ? { result: this.unavailable(topic, stamp) } : null;
    }
    if (fetched === SUPERSEDED) return SUPERSEDED;
    const { early } = fetched;
    if (!fetched.fetched.entity) {
      // the early answers are dropped unread: nothing of an entity the caller may not see goes out
      subscriptionEvents.inc({ field, outcome: 'not_visible' });
      if (fetched.fetched.errors.length) this.options.logger.debug({ eventId: change.eventId, errors: fetched.fetched.errors.map((e) => e.message) }, 'entity not returned');
      return null;
    }
    const entity = fetched.fetched.entity;
    if (superseded()) return SUPERSEDED;
    const restStarted = performance.now();
    if (!askedFor) subscriptionStage.observe({ stage: 'entity_fetch' }, (restStarted - fetchStarted) / 1_000);
    const result = await this.limit.run(() => this.options.executor.executeRest(target, entity, variables, context, early));
    if (!askedFor) subscriptionStage.observe({ stage: 'rest' }, (performance.now() - restStarted) / 1_000);
    const errors = result.errors?.length ? result.errors.map((e) => this.formatError(e)) : undefined;
    const formatted: FormattedExecutionResult = {
      data: result.data ?? null,
      ...(errors ? { errors } : {}),
      extensions: { ...result.extensions, ...stamp },
    };
    subscriptionEvents.inc({ field, outcome: 'delivered' });
    return { result: formatted, readAt, fingerprint: JSON.stringify([formatted.data, errors?.map((e) => [e.message, e.path])]) };
  }

  /** As Apollo Server formats errors over HTTP: the executor also reports plain Errors (a fetch that failed). */
  private formatError(error: unknown): GraphQLFormattedError {
    const graphqlError =
      error instanceof GraphQLError
        ? error
        : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
    return this.options.formatError(graphqlError.toJSON(), graphqlError);
  }

  /**
   * The entity fetch, again after a short wait while the subgraph cannot be reached (it may be
   * restarting). With it go the rest's fetches whose input the change already names (EarlyFetch):
   * the result then waits for one round of subgraph requests, not two.
   */
  private async fetchEntity(
    topic: Topic,
    change: EntityChange,
    context: GatewayContext,
    superseded: () => boolean,
    started: (readAt: number) => void,
  ): Promise<{ fetched: EntityFetchResult; early: EarlyAnswers } | typeof SUPERSEDED> {
    const { target, variables, field } = topic.request;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.limit.run(async () => {
          if (superseded()) return SUPERSEDED;
          // reads started later see the entity as it is then or later: the order results are taken in
          started((this.reads += 1));
          // sent after the event was received, like the entity fetch: each still reads its subgraph at or after the event
          const early = this.options.executor.sendEarly(target, { typename: field.typename, id: change.id }, field.references(change), variables, context);
          return { fetched: await this.options.executor.fetchEntity(target, { id: change.id }, variables, context), early };
        });
      } catch (error) {
        const wait = this.retryDelaysMs[attempt];
        if (wait === undefined || this.stopped || topic.members.size === 0) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private deliver(topic: Topic, change: EntityChange, produced: Produced, queues: Iterable<SubscriberQueue>): void {
    const started = performance.now();
    const item = { entity: `${change.typename}:${change.id}`, ...produced, pushedAt: started };
    let sent = 0;
    let dropped = 0;
    for (const queue of queues) {
      if (queue.push(item)) sent += 1;
      else dropped += 1;
    }
    subscriptionMessages.inc(sent);
    if (dropped > 0) subscriptionResultsDropped.inc({ reason: 'unchanged_or_older' }, dropped);
    subscriptionStage.observe({ stage: 'fan_out' }, (performance.now() - started) / 1_000);
    subscriptionExecution.observe((Date.now() - change.receivedAt) / 1_000);
  }

  private unavailable(topic: Topic, stamp: Record<string, unknown>): FormattedExecutionResult {
    const { plan } = topic.request.target;
    return {
      data: null,
      errors: [
        {
          message: `Could not load ${plan.fieldName}: the ${plan.entityFetch.serviceName} service is unreachable. Later events come through once it is back.`,
          path: [plan.responseKey],
          extensions: { code: SUBGRAPH_UNAVAILABLE_CODE, serviceName: plan.entityFetch.serviceName },
        },
      ],
      extensions: stamp,
    };
  }
}

/** `extensions.event` of a result an event caused: its id, when it occurred and, when known, when it committed. */
function eventStamp(change: EntityChange): Record<string, string> {
  return change.committedAt === undefined
    ? { id: change.eventId, occurredAt: change.occurredAt }
    : { id: change.eventId, occurredAt: change.occurredAt, committedAt: change.committedAt };
}
