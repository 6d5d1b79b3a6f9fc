import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import client from 'prom-client';
import { GATEWAY_CREDENTIAL_HEADER, type GatewayCredentialSigner, IDENTITY_HEADERS, type Identity } from '#platform/auth';
import { registry, injectTraceContext } from '#platform/observability';
import type { GatewayContext } from '../context.js';

const fetchDuration = new client.Histogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: 'Time the gateway waited for one subgraph fetch',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

/** The caller of the fetch under way: `process` knows it, the fetcher (which sees the final body) reads it. */
const caller = new AsyncLocalStorage<{ identity: Identity | null; requestId: string }>();

/**
 * Every subgraph fetch carries a credential the gateway signs for that subgraph, that exact body
 * and that caller (subgraphs trust nothing else, see kernel/auth/gateway-credential.ts); fetches
 * are measured and bounded by the subgraph timeout.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly timeoutMs: number,
    signer: GatewayCredentialSigner,
  ) {
    super({ url });
    const send = this.fetcher;
    // The body is final only here: the credential's hash covers exactly the bytes that are sent.
    this.fetcher = async (target, init = {}) => {
      const current = caller.getStore();
      if (!current) throw new Error(`subgraph fetch to ${this.subgraph} outside SubgraphDataSource.process`);
      const credential = await signer.sign({ audience: this.subgraph, body: init.body ?? '', requestId: current.requestId, identity: current.identity });
      return send(target, { ...init, headers: { ...init.headers, [GATEWAY_CREDENTIAL_HEADER]: credential }, timeout: this.timeoutMs } as typeof init);
    };
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context?.requestId) request.http!.headers.set(IDENTITY_HEADERS.requestId, context.requestId);
    // the subgraph's spans continue the gateway's fetch span
    injectTraceContext((name, value) => request.http!.headers.set(name, value));
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const end = fetchDuration.startTimer({ subgraph: this.subgraph });
    const context = options.context as Partial<GatewayContext> | undefined;
    try {
      const response = await caller.run({ identity: context?.identity ?? null, requestId: context?.requestId ?? randomUUID() }, () => super.process(options));
      end({ outcome: response.errors?.length ? 'error' : 'ok' });
      return response;
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }
}
