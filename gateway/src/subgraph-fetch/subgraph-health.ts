import client from 'prom-client';
import type { ReadinessCheck } from '#platform/http';
import { onScrape, registry } from '#platform/observability';

const subgraphUp = new client.Gauge({
  name: 'gateway_subgraph_up',
  help: "1 while a subgraph's /readyz answers ready to this gateway, 0 otherwise",
  labelNames: ['subgraph'] as const,
  registers: [registry],
});

/** Asks every subgraph's /readyz; returns the names of those not ready and records each on /metrics. */
export async function probeSubgraphs(subgraphs: ReadonlyMap<string, string>, timeoutMs = 1_500): Promise<string[]> {
  const down: string[] = [];
  await Promise.all(
    [...subgraphs].map(async ([name, url]) => {
      const response = await fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(timeoutMs) }).catch(() => null);
      const up = response?.ok === true;
      await response?.body?.cancel().catch(() => undefined);
      subgraphUp.set({ subgraph: name }, up ? 1 : 0);
      if (!up) down.push(name);
    }),
  );
  return down.sort();
}

/**
 * The gateway is ready while every subgraph is; the same probe refreshes `gateway_subgraph_up` on
 * each scrape, so a dead subgraph shows on the dashboard even when nobody asks /readyz (one
 * gateway per process: the probe stays registered for the life of the process).
 */
export function subgraphsReadiness(subgraphs: ReadonlyMap<string, string>): ReadinessCheck {
  onScrape(async () => void (await probeSubgraphs(subgraphs)));
  return {
    name: 'subgraphs',
    check: async () => {
      const down = await probeSubgraphs(subgraphs);
      if (down.length) throw new Error(`not ready: ${down.join(', ')}`);
    },
  };
}
