import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import client from 'prom-client';
import { identityToHeaders, IDENTITY_HEADERS } from '../../subgraphs/kernel/src/identity.js';
import { registry } from '../../subgraphs/kernel/src/metrics.js';
import type { GatewayContext } from './context.js';

const fetchDuration = new client.Histogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: 'Time the gateway waited for one subgraph fetch',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/**
 * Sends the caller's identity and request id with every subgraph fetch (the subgraphs scope every
 * query by that tenant) and measures each fetch.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly timeoutMs: number,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http!.headers;
    if (context?.requestId) headers.set(IDENTITY_HEADERS.requestId, context.requestId);
    if (context?.identity) {
      for (const [name, value] of Object.entries(identityToHeaders(context.identity))) headers.set(name, value);
    }
    (request.http as { timeout?: number }).timeout = this.timeoutMs;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const end = fetchDuration.startTimer({ subgraph: this.subgraph });
    try {
      const response = await super.process(options);
      end({ outcome: response.errors?.length ? 'error' : 'ok' });
      return response;
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }
}
