// One process serving the four static subgraphs on node:http (one port each), plus a control port
// with the bench's JWKS and the count of requests each subgraph answered.
//   BENCH_SUBGRAPH_PORTS='{"accounts":4101,...}' BENCH_CONTROL_PORT=4105 BENCH_JWKS='{"keys":[...]}'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { execute, parse, validate, type GraphQLSchema } from 'graphql';
import { schemaOf, STATIC_SUBGRAPHS } from './static-subgraphs.js';

const ports = JSON.parse(process.env.BENCH_SUBGRAPH_PORTS ?? '{}') as Record<string, number>;
const controlPort = Number(process.env.BENCH_CONTROL_PORT);
const jwks = process.env.BENCH_JWKS ?? '{"keys":[]}';
const counts: Record<string, number> = {};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Buffer | string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function answer(schema: GraphQLSchema, body: string): Promise<Buffer> {
  const { query, variables, operationName } = JSON.parse(body) as { query: string; variables?: Record<string, unknown>; operationName?: string };
  const document = parse(query);
  const errors = validate(schema, document);
  const result = errors.length ? { errors } : await execute({ schema, document, variableValues: variables, operationName });
  return Buffer.from(JSON.stringify(result));
}

function serve(name: string, schema: GraphQLSchema, port: number): Promise<void> {
  // The gateway sends the same few bodies over and over: each is executed once, then replayed.
  const cache = new Map<string, Buffer>();
  counts[name] = 0;
  const server = createServer((req, res) => {
    if (req.method !== 'POST') return send(res, req.url === '/readyz' || req.url === '/healthz' ? 200 : 405, '{"status":"ready"}');
    readBody(req)
      .then(async (body) => {
        counts[name]! += 1;
        let out = cache.get(body);
        if (!out) {
          out = await answer(schema, body);
          if (cache.size < 10_000) cache.set(body, out);
        }
        send(res, 200, out);
      })
      .catch((error: Error) => send(res, 400, JSON.stringify({ errors: [{ message: error.message }] })));
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

await Promise.all(STATIC_SUBGRAPHS.map((s) => serve(s.name, schemaOf(s), ports[s.name]!)));

const control = createServer((req, res) => {
  if (req.url === '/.well-known/jwks.json') return send(res, 200, jwks);
  if (req.url === '/counts') return send(res, 200, JSON.stringify(counts));
  if (req.url === '/counts/reset' && req.method === 'POST') {
    for (const name of Object.keys(counts)) counts[name] = 0;
    return send(res, 200, '{}');
  }
  send(res, 404, '{}');
});
control.listen(controlPort, '127.0.0.1', () => console.log('READY'));
process.on('SIGTERM', () => process.exit(0));
