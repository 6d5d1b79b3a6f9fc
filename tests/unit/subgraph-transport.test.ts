import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SubgraphTransport, SubgraphTransportError } from '../../gateway/src/subgraph-fetch/subgraph-transport.js';

// The gateway's subgraph transport against real node:http servers that misbehave on purpose.

const servers: Server[] = [];
const transports: SubgraphTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close().catch(() => undefined)));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, requestOnSocket: number) => void): Promise<string> {
  const perSocket = new WeakMap<Socket, number>();
  const server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    handler(req, res, n);
  });
  server.keepAliveTimeout = 60_000;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

function transport(url: string, timeoutMs = 5_000): SubgraphTransport {
  // one socket, so that which request reuses it is certain
  const t = new SubgraphTransport('orders', url, { timeoutMs, connections: 1 });
  transports.push(t);
  return t;
}

const query = (id: number) => ({ body: JSON.stringify({ query: `{ order(id: "${id}") { id } }` }), headers: { 'content-type': 'application/json' }, idempotent: true });
const mutation = { body: JSON.stringify({ query: 'mutation { placeOrder { id } }' }), headers: { 'content-type': 'application/json' }, idempotent: false };

/** Answers every request but the second one on a socket, whose socket it closes as the request arrives (a keep-alive close racing a new request). */
function closesReusedSockets(received: string[]) {
  return (req: IncomingMessage, res: ServerResponse, n: number) => {
    void readBody(req).then((body) => {
      received.push(body);
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { echo: body } }));
    });
  };
}

describe('the subgraph transport', () => {
  it('sends the body and headers over a kept-alive socket and returns status, headers and text', async () => {
    const seen: Array<{ body: string; header: string | undefined; socket: number }> = [];
    const url = await serve((req, res, n) => {
      void readBody(req).then((body) => {
        seen.push({ body, header: req.headers['x-probe'] as string | undefined, socket: n });
        res.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' }).end('{"data":{"ok":true}}');
      });
    });
    const t = transport(url);
    for (let i = 0; i < 3; i += 1) {
      const answer = await t.send({ ...query(i), headers: { 'content-type': 'application/json', 'x-probe': `p${i}` } });
      expect(answer).toMatchObject({ status: 201, body: '{"data":{"ok":true}}', headers: { 'x-answer': 'yes' } });
    }
    expect(seen.map((s) => s.header)).toEqual(['p0', 'p1', 'p2']);
    expect(seen.map((s) => s.body)).toEqual([0, 1, 2].map((i) => query(i).body));
    // one socket, three requests: the pool keeps it alive
    expect(seen.map((s) => s.socket)).toEqual([1, 2, 3]);
  });

  it('sends a query again on a fresh socket when the subgraph closed the kept-alive one as it arrived', async () => {
    const received: string[] = [];
    const t = transport(await serve(closesReusedSockets(received)));
    expect(JSON.parse((await t.send(query(1))).body)).toEqual({ data: { echo: query(1).body } });
    const second = await t.send(query(2));
    // the answer is the subgraph's answer to this very query, after one retry
    expect(JSON.parse(second.body)).toEqual({ data: { echo: query(2).body } });
    expect(received).toEqual([query(1).body, query(2).body, query(2).body]);
  });

  it('never sends a mutation twice: a broken socket is a clean error and the subgraph saw it once', async () => {
    const received: string[] = [];
    const t = transport(await serve(closesReusedSockets(received)));
    await t.send(query(1));
    const error = await t.send(mutation).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubgraphTransportError);
    expect(error).toMatchObject({ subgraph: 'orders', failure: 'reset' });
    expect(received.filter((b) => b === mutation.body)).toHaveLength(1);
  });

  it('gives up with a timeout when the subgraph does not answer in time', async () => {
    const url = await serve(() => undefined);
    const error = await transport(url, 300)
      .send(query(1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SubgraphTransportError', failure: 'timeout', message: 'subgraph orders: no answer within 300 ms' });
  });

  it('reports a subgraph nobody listens for as a connect failure', async () => {
    const url = await serve(() => undefined);
    const closed = servers.pop()!;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await transport(url)
      .send(query(1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SubgraphTransportError', failure: 'connect' });
  });
});
