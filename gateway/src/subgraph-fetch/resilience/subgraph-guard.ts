import CircuitBreaker from 'opossum';
import client from 'prom-client';
import type { Logger } from '#platform/observability';
import { registry } from '#platform/observability';
import { classifyFetchError, SubgraphFetchFailure } from './subgraph-failure.js';

export type CircuitState = 'closed' | 'half_open' | 'open';

export interface SubgraphGuardOptions {
  /** Fetches in flight at once; more wait in a queue. */
  maxConcurrency: number;
  /** Fetches that may wait for a slot; the next is refused without being sent. */
  maxQueue: number;
  /** The longest a fetch waits in the queue before it is refused (the subgraph's timeout). */
  queueTimeoutMs: number;
  /** Retries of a query whose connection failed; mutations are never retried. */
  retries: number;
  breaker: { consecutiveFailures: number; errorPercentage: number; resetMs: number };
}

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

const circuitState = new client.Gauge({
  name: 'gateway_subgraph_circuit_state',
  help: "The gateway's circuit breaker for a subgraph: 0 closed (fetches flow), 1 half-open (one probe fetch), 2 open (fetches fail fast)",
  labelNames: ['subgraph'] as const,
  registers: [registry],
});
const circuitTransitions = new client.Counter({
  name: 'gateway_subgraph_circuit_transitions_total',
  help: 'Times the circuit breaker for a subgraph moved to a state',
  labelNames: ['subgraph', 'state'] as const,
  registers: [registry],
});
const inFlightGauge = new client.Gauge({
  name: 'gateway_subgraph_fetches_in_flight',
  help: 'Subgraph fetches under way (bounded by SUBGRAPH_MAX_CONCURRENCY)',
  labelNames: ['subgraph'] as const,
  registers: [registry],
});
const refusedTotal = new client.Counter({
  name: 'gateway_subgraph_fetch_refused_total',
  help: 'Subgraph fetches the gateway failed fast without sending: circuit_open or saturated',
  labelNames: ['subgraph', 'reason'] as const,
  registers: [registry],
});
const retriesTotal = new client.Counter({
  name: 'gateway_subgraph_fetch_retries_total',
  help: 'Query fetches sent again after a connection failure',
  labelNames: ['subgraph'] as const,
  registers: [registry],
});

/** Full jitter: anywhere between 0 and an exponentially growing cap, so retries of many requests spread out. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(400, 25 * 2 ** attempt);
}

/**
 * What stands between the gateway and one subgraph: a circuit breaker (opossum) that opens after
 * consecutive failures (or a high failure ratio), fails fetches fast while open and lets one probe
 * through after `resetMs`; a cap on fetches in flight, so a hung subgraph cannot pile up sockets
 * and memory; retries with jittered backoff for queries whose connection failed. Only transport
 * failures (no connection, timeout, reset, 502/503/504) count; a subgraph answering with GraphQL
 * errors or 4xx is healthy.
 */
export class SubgraphGuard {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private consecutive = 0;
  private running = 0;
  /** This subgraph's in-flight gauge, bound once (no label lookup per fetch). */
  private readonly inFlightMetric: client.Gauge.Internal<'subgraph'>;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly subgraph: string,
    private readonly options: SubgraphGuardOptions,
    private readonly logger: Logger,
  ) {
    this.breaker = new CircuitBreaker((attempt: () => Promise<unknown>) => attempt(), {
      name: subgraph,
      timeout: false, // the fetch carries its own timeout, so a timed-out fetch is really abandoned
      resetTimeout: options.breaker.resetMs,
      errorThresholdPercentage: options.breaker.errorPercentage,
      volumeThreshold: options.breaker.consecutiveFailures,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
      // only transport failures are the subgraph failing; its GraphQL errors and 4xx are answers
      errorFilter: (error: unknown) => classifyFetchError(error) === undefined,
    });
    circuitState.set({ subgraph }, 0);
    this.inFlightMetric = inFlightGauge.labels({ subgraph });
    this.inFlightMetric.set(0);
    this.breaker.on('success', () => {
      this.consecutive = 0;
    });
    this.breaker.on('failure', () => {
      this.consecutive += 1;
      if (this.consecutive >= options.breaker.consecutiveFailures && this.breaker.closed) this.breaker.open();
    });
    this.breaker.on('open', () => this.moved('open'));
    this.breaker.on('halfOpen', () => this.moved('half_open'));
    this.breaker.on('close', () => this.moved('closed'));
  }

  get state(): CircuitState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  get inFlight(): number {
    return this.running;
  }

  /**
   * Runs one fetch under the guard. Throws a SubgraphFetchFailure for transport failures and
   * refusals; any other error (the subgraph's own answer) passes through unchanged.
   */
  async run<T>(operation: 'query' | 'mutation', fetch: () => Promise<T>): Promise<T> {
    const retries = operation === 'query' ? this.options.retries : 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        // limited here rather than by opossum's semaphore, whose refusals would count as the subgraph answering
        // a free slot is taken synchronously; only a queued fetch waits
        if (!this.tryAcquire()) await this.acquire();
        try {
          return (await this.breaker.fire(fetch)) as T;
        } finally {
          this.release();
        }
      } catch (error) {
        const failure = this.classify(error);
        if (!failure) throw error;
        if (attempt < retries && failure.retryable && this.breaker.closed) {
          retriesTotal.inc({ subgraph: this.subgraph });
          await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
          continue;
        }
        throw failure;
      }
    }
  }

  /** Stops the breaker's rolling statistics timer. */
  close(): void {
    this.breaker.shutdown();
  }

  /**
   * Takes one of `maxConcurrency` slots, waiting in a bounded queue for at most `queueTimeoutMs`;
   * refuses (ESATURATED) when the queue is full or the wait is over.
   */
  private async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    if (this.waiting.length >= this.options.maxQueue) throw Object.assign(new Error('too many fetches waiting'), { code: 'ESATURATED' });
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(Object.assign(new Error('waited too long for a free slot'), { code: 'ESATURATED' }));
      }, this.options.queueTimeoutMs);
      this.waiting.push(wake);
    });
  }

  /** Takes a slot when one is free and nobody waits for one. */
  private tryAcquire(): boolean {
    if (this.running >= this.options.maxConcurrency || this.waiting.length > 0) return false;
    this.running += 1;
    this.inFlightMetric.set(this.running);
    return true;
  }

  /** Hands the slot to the longest waiter (so `running` never passes the cap), or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) return next();
    this.running -= 1;
    this.inFlightMetric.set(this.running);
  }

  private classify(error: unknown): SubgraphFetchFailure | undefined {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === 'EOPENBREAKER') {
      refusedTotal.inc({ subgraph: this.subgraph, reason: 'circuit_open' });
      return new SubgraphFetchFailure(this.subgraph, 'refused', 'circuit_open', error);
    }
    if (code === 'ESATURATED') {
      refusedTotal.inc({ subgraph: this.subgraph, reason: 'saturated' });
      return new SubgraphFetchFailure(this.subgraph, 'refused', 'saturated', error);
    }
    const kind = classifyFetchError(error);
    return kind ? new SubgraphFetchFailure(this.subgraph, kind, undefined, error) : undefined;
  }

  private moved(state: CircuitState): void {
    circuitState.set({ subgraph: this.subgraph }, STATE_VALUE[state]);
    circuitTransitions.inc({ subgraph: this.subgraph, state });
    if (state === 'closed') this.consecutive = 0;
    const log = state === 'closed' ? this.logger.info.bind(this.logger) : this.logger.warn.bind(this.logger);
    log(
      { subgraph: this.subgraph, circuit: state, ...(state === 'open' ? { probeAfterMs: this.options.breaker.resetMs } : {}) },
      state === 'open' ? `circuit to ${this.subgraph} opened: its fetches fail fast` : state === 'half_open' ? `circuit to ${this.subgraph} half-open: one probe fetch` : `circuit to ${this.subgraph} closed`,
    );
  }
}
