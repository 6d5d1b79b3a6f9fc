import client from 'prom-client';
import type { ReadinessCheck } from '#platform/http';
import { registry } from '#platform/observability';
import type { CircuitState } from './resilience/subgraph-guard.js';

const subgraphUp = new client.Gauge({
  name: 'gateway_subgraph_up',
  help: "1 while a subgraph's /readyz answers ready to this gateway, 0 otherwise",
  labelNames: ['subgraph'] as const,
  registers: [registry],
});

export interface SubgraphHealthOptions {
  /** Subgraph name → its GraphQL URL (the /readyz beside it is asked). */
  subgraphs: ReadonlyMap<string, string>;
  intervalMs: number;
  /** Longer than the subgraph's own check (READINESS_CHECK_TIMEOUT_MS), so a slow database answer is not taken for a dead subgraph. */
  timeoutMs: number;
  /** Subgraphs without which the gateway is not ready. */
  required: readonly string[];
  /** Each subgraph's circuit, reported beside its health. */
  circuits(): Record<string, CircuitState>;
}

/**
 * Asks every subgraph's /readyz in the background and keeps the answers: /readyz and /metrics
 * read them without waiting on any subgraph. A subgraph being down does not make the gateway
 * unready (it still serves everything else, with errors for that subgraph's fields), unless it is
 * named in GATEWAY_REQUIRED_SUBGRAPHS.
 */
export class SubgraphHealth {
  private readonly ready = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;

  constructor(private readonly options: SubgraphHealthOptions) {}

  start(): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round of probes (at most one at a time). */
  probe(): Promise<void> {
    this.probing ??= Promise.all(
      [...this.options.subgraphs].map(async ([name, url]) => {
        const response = await fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(this.options.timeoutMs) }).catch(() => null);
        const up = response?.ok === true;
        await response?.body?.cancel().catch(() => undefined);
        this.ready.set(name, up);
        subgraphUp.set({ subgraph: name }, up ? 1 : 0);
      }),
    ).then(
      () => void (this.probing = undefined),
      () => void (this.probing = undefined),
    );
    return this.probing;
  }

  /** The /readyz check: details of every subgraph; fails only when a required one is down. */
  readiness(): ReadinessCheck {
    return {
      name: 'subgraphs',
      check: async () => {
        if (this.ready.size === 0) await this.probe();
        const circuits = this.options.circuits();
        const report = Object.fromEntries(
          [...this.options.subgraphs.keys()].sort().map((name) => [name, { ready: this.ready.get(name) ?? false, circuit: circuits[name] ?? 'closed' }]),
        );
        const missing = this.options.required.filter((name) => !report[name]?.ready);
        if (missing.length) throw new Error(`not ready: required subgraph(s) ${missing.join(', ')} not ready`);
        return report;
      },
    };
  }
}
