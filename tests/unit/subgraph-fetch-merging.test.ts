import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayCredentialSigner, type Identity } from '#platform/auth';
import type { GatewayContext } from '../../gateway/src/context.js';
import { SubgraphDataSource } from '../../gateway/src/subgraph-fetch/subgraph-data-source.js';
import { SubgraphTransport } from '../../gateway/src/subgraph-fetch/subgraph-transport.js';
import { SubgraphGuard } from '../../gateway/src/subgraph-fetch/resilience/subgraph-guard.js';

// The gateway's data source in front of a real node:http subgraph that holds every answer until
// the test releases it, so which fetches were in flight together is certain, not a matter of timing.

const alice: Identity = { userId: '11111111-1111-4111-8111-111111111111', tenantId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', role: 'CUSTOMER', sessionId: 's-alice' };
const bob: Identity = { userId: '22222222-2222-4222-8222-222222222222', tenantId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', role: 'CUSTOMER', sessionId: 's-bob' };

const signer = new GatewayCredentialSigner({ kid: 'test', key: randomBytes(32) }, 'accounts', 30);

interface Held {
  credential: string;
  body: string;
  res: ServerResponse;
}

const servers: Server[] = [];
const transports: SubgraphTransport[] = [];
const guards: SubgraphGuard[] = [];

afterEach(async () => {
  guards.splice(0).forEach((g) => g.close());
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

/** A subgraph that answers each request with the caller its credential names, when told to. */
async function holdingSubgraph(): Promise<{ url: string; held: Held[]; arrived: (n: number) => Promise<void>; release: () => void }> {
  const held: Held[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      held.push({ credential: String(req.headers['x-gateway-credential']), body, res });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    held,
    arrived: async (n) => {
      while (held.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    release: () => {
      for (const { credential, res } of held.splice(0)) {
        const claims = JSON.parse(Buffer.from(credential.split('.')[1]!, 'base64url').toString('utf8')) as { sub?: string };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { me: { id: claims.sub ?? null } } }));
      }
    },
  };
}

function source(url: string, mergeFetches = true): SubgraphDataSource {
  const transport = new SubgraphTransport('accounts', url, { timeoutMs: 5_000 });
  transports.push(transport);
  // the guard as production sets it up (breaker, concurrency cap, no retries needed here)
  const guard = new SubgraphGuard(
    'accounts',
    { maxConcurrency: 64, maxQueue: 128, queueTimeoutMs: 5_000, retries: 0, breaker: { consecutiveFailures: 5, errorPercentage: 50, resetMs: 2_000 } },
    pino({ level: 'silent' }),
  );
  guards.push(guard);
  return new SubgraphDataSource('accounts', transport, signer, guard, false, { mergeFetches });
}

function fetchAs(ds: SubgraphDataSource, identity: Identity | null, query = '{ me { id } }') {
  const context = { requestId: `r-${Math.random()}`, identity, authError: null } as unknown as GatewayContext;
  return ds.process({
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query, variables: {} },
    context,
    incomingRequestContext: {} as never,
    pathInIncomingRequest: [],
    document: undefined,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
}

describe('merging of identical in-flight subgraph fetches', () => {
  it('sends identical queries of one caller once and answers each', async () => {
    const subgraph = await holdingSubgraph();
    const ds = source(subgraph.url);
    const answers = Promise.all([fetchAs(ds, alice), fetchAs(ds, alice), fetchAs(ds, alice)]);
    await subgraph.arrived(1);
    subgraph.release();
    const results = await answers;
    expect(results.map((r) => r.data)).toEqual([0, 1, 2].map(() => ({ me: { id: alice.userId } })));
    // each caller has its own copy: changing one answer changes no other
    (results[0]!.data as { me: { id: string } }).me.id = 'changed';
    expect((results[1]!.data as { me: { id: string } }).me.id).toBe(alice.userId);
    const again = fetchAs(ds, alice);
    await subgraph.arrived(1);
    subgraph.release();
    await again;
  });

  it('never merges the same query of two callers: each gets the answer made for them', async () => {
    const subgraph = await holdingSubgraph();
    const ds = source(subgraph.url);
    const answers = Promise.all([fetchAs(ds, alice), fetchAs(ds, bob), fetchAs(ds, null)]);
    await subgraph.arrived(3);
    expect(subgraph.held).toHaveLength(3);
    subgraph.release();
    expect((await answers).map((r) => r.data)).toEqual([{ me: { id: alice.userId } }, { me: { id: bob.userId } }, { me: { id: null } }]);
  });

  it('never merges mutations', async () => {
    const subgraph = await holdingSubgraph();
    const ds = source(subgraph.url);
    const mutation = 'mutation { logout }';
    const answers = Promise.all([fetchAs(ds, alice, mutation), fetchAs(ds, alice, mutation)]);
    await subgraph.arrived(2);
    expect(subgraph.held.map((h) => h.body)).toEqual([JSON.stringify({ query: mutation, variables: {} }), JSON.stringify({ query: mutation, variables: {} })]);
    subgraph.release();
    await answers;
  });

  it('sends every fetch when merging is switched off', async () => {
    const subgraph = await holdingSubgraph();
    const ds = source(subgraph.url, false);
    const answers = Promise.all([fetchAs(ds, alice), fetchAs(ds, alice)]);
    await subgraph.arrived(2);
    expect(subgraph.held).toHaveLength(2);
    subgraph.release();
    await answers;
  });
});
