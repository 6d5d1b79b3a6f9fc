import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SubgraphFetchFailure } from '../../gateway/src/subgraph-fetch/resilience/subgraph-failure.js';
import { SubgraphGuard, type SubgraphGuardOptions } from '../../gateway/src/subgraph-fetch/resilience/subgraph-guard.js';
import { SubgraphTransport } from '../../gateway/src/subgraph-fetch/subgraph-transport.js';

// The guard in front of one subgraph, over the real transport and real sockets: a port nobody
// listens on, a server that answers, a server that never answers.

const servers: Server[] = [];
const transports: SubgraphTransport[] = [];
const guards: SubgraphGuard[] = [];
afterEach(async () => {
  guards.splice(0).forEach((g) => g.close());
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

function listen(handler: Parameters<typeof createServer>[1], port = 0): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A port that was free a moment ago: nobody listens there. */
async function closedPort(): Promise<number> {
  const port = await listen(() => undefined);
  const server = servers.pop()!;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function setup(port: number, options: Partial<SubgraphGuardOptions> = {}, timeoutMs = 2_000) {
  const transport = new SubgraphTransport('inventory', `http://127.0.0.1:${port}/graphql`, { timeoutMs });
  transports.push(transport);
  const guard = new SubgraphGuard(
    'inventory',
    { maxConcurrency: 4, maxQueue: 0, queueTimeoutMs: timeoutMs, retries: 0, breaker: { consecutiveFailures: 3, errorPercentage: 50, resetMs: 60_000 }, ...options },
    pino({ level: 'silent' }),
  );
  guards.push(guard);
  const send = (idempotent = true) => guard.run(idempotent ? 'query' : 'mutation', () => transport.send({ body: '{"query":"{ __typename }"}', headers: { 'content-type': 'application/json' }, idempotent }));
  return { guard, send };
}

const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SubgraphFetchFailure);
  return error as SubgraphFetchFailure;
};

describe('the subgraph guard', () => {
  it('opens the circuit after consecutive connection failures, then fails fast without connecting', async () => {
    const { guard, send } = setup(await closedPort());
    for (let i = 0; i < 3; i += 1) expect((await failureOf(send())).kind).toBe('refused');
    expect(guard.state).toBe('open');
    const refused = await failureOf(send());
    expect(refused).toMatchObject({ kind: 'refused', reason: 'circuit_open' });
    expect(refused.toGraphQLError('query', false)).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'inventory' } });
  });

  it('lets one probe through after the reset time and closes once it succeeds', async () => {
    const port = await closedPort();
    const { guard, send } = setup(port, { breaker: { consecutiveFailures: 2, errorPercentage: 50, resetMs: 200 } });
    await failureOf(send());
    await failureOf(send());
    expect(guard.state).toBe('open');
    await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"__typename":"Query"}}'), port);
    for (let i = 0; i < 100 && guard.state !== 'half_open'; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(guard.state).toBe('half_open');
    expect((await send()).status).toBe(200);
    expect(guard.state).toBe('closed');
  });

  it('counts a subgraph answering with errors or 4xx as healthy', async () => {
    const port = await listen((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"bad"}]}'));
    const { guard, send } = setup(port);
    for (let i = 0; i < 5; i += 1) expect((await send()).status).toBe(400);
    expect(guard.state).toBe('closed');
  });

  it('retries a query whose connection was refused, never a mutation', async () => {
    const port = await closedPort();
    let attempts = 0;
    const { guard } = setup(port, { retries: 2, breaker: { consecutiveFailures: 100, errorPercentage: 100, resetMs: 60_000 } });
    const counted = (operation: 'query' | 'mutation') =>
      guard.run(operation, async () => {
        attempts += 1;
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      });
    await failureOf(counted('query'));
    expect(attempts).toBe(3);
    attempts = 0;
    const failure = await failureOf(counted('mutation'));
    expect(attempts).toBe(1);
    // refused: it never reached the subgraph, so the mutation may be sent again as it is
    expect(failure.toGraphQLError('mutation', false).extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE' });
  });

  it('answers OUTCOME_UNKNOWN for a mutation sent to a subgraph that never answers, and SUBGRAPH_TIMEOUT for a query', async () => {
    const port = await listen(() => undefined);
    const { send } = setup(port, {}, 300);
    expect((await failureOf(send(false))).toGraphQLError('mutation', false).extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', subgraph: 'inventory' });
    expect((await failureOf(send(true))).toGraphQLError('query', false).extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', subgraph: 'inventory' });
  });

  it('holds at most its cap of fetches in flight to a hung subgraph, queues a few, refuses the rest at once', async () => {
    let arrived = 0;
    const port = await listen(() => void (arrived += 1));
    const { guard, send } = setup(port, { maxConcurrency: 2, maxQueue: 1, breaker: { consecutiveFailures: 100, errorPercentage: 100, resetMs: 60_000 } }, 1_000);
    const settled: number[] = [];
    const pending = Array.from({ length: 5 }, (_, i) =>
      send().then(
        () => undefined,
        (e: unknown) => {
          settled.push(i);
          return e as SubgraphFetchFailure;
        },
      ),
    );
    const all = await Promise.all(pending);
    // the fourth and fifth were refused before anything was sent, so they settled first; the third waited in the queue
    expect(settled.slice(0, 2).sort()).toEqual([3, 4]);
    expect([all[3]?.reason, all[4]?.reason]).toEqual(['saturated', 'saturated']);
    // only two requests ever reached the hung subgraph while the first two held their slots
    expect(arrived).toBeLessThanOrEqual(3);
    expect(guard.inFlight).toBe(0);
    expect(all.slice(0, 2).map((f) => f?.kind)).toEqual(['timeout', 'timeout']);
  });
});
