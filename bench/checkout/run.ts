// bench/checkout: orders per second through the whole checkout saga, and the time from placeOrder
// to CONFIRMED (p50/p95/p99), with an oversell check at the end.
//
//   npm run bench:checkout                                   # embedded: one process, PGlite, in-process bus
//   npm run bench:checkout -- --orders 2000 --concurrency 32
//   npm run bench:checkout -- --gateway http://localhost:4000/graphql --nats nats://127.0.0.1:4222
//       # an already running distributed stack (npm run start:distributed); NATS_NAMESPACE if it uses one
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startSupergraph, type Supergraph } from '../../hosts/supergraph.js';
import { seedAll } from '../../prisma/seed.js';
import { OrderEvents } from '#contracts';
import { type EventBus, createEventBus } from '#platform/events';
import { GraphQLClient } from '../../tests/harness/graphql-client.js';
import { args, ms, summarize } from '../lib/stats.js';

const options = args();
const totalOrders = Number(options.get('orders') ?? 1000);
const concurrency = Number(options.get('concurrency') ?? 16);
const productsUsed = Number(options.get('products') ?? 20);
const externalGateway = options.get('gateway');

let supergraph: Supergraph | undefined;
let dataDir: string | undefined;
let bus: EventBus;
let gatewayUrl: string;

if (externalGateway) {
  gatewayUrl = externalGateway;
  const natsUrl = options.get('nats') ?? 'nats://127.0.0.1:4222';
  bus = await createEventBus({ natsUrl, natsNamespace: options.get('namespace') }, pino({ level: 'warn' }));
} else {
  dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-checkout-'));
  supergraph = await startSupergraph({
    env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: dataDir, PAYMENT_LATENCY_MS: options.get('payment-latency') ?? '0', PORT: '0', ...pickEnv() },
    ephemeralPorts: true,
    beforeGateway: (subgraphs) => seedAll(Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.runtime.db])) as never),
  });
  gatewayUrl = supergraph.gateway.url;
  bus = supergraph.bus;
}

function pickEnv(): Record<string, string> {
  const keep = Object.entries(process.env).filter(([k]) => k.startsWith('DATABASE_URL_') || k === 'NATS_URL' || k === 'NATS_NAMESPACE');
  return Object.fromEntries(keep) as Record<string, string>;
}

const client = new GraphQLClient(gatewayUrl);
const admin = 'admin@acme.test';
const shopper = 'alice@acme.test';

// Stock: each product used gets exactly enough units for its share, so oversell would show.
const { products } = await client.as<any>(admin, `query($n: Int!) { products(first: $n) { edges { node { id stock { available } } } } }`, { n: productsUsed });
const ids: string[] = products.edges.map((e: any) => e.node.id);
const perProduct = Math.ceil(totalOrders / ids.length);
const unitsPerProduct = Math.floor(perProduct * 0.9); // about 10% of orders must fail for short stock
for (const edge of products.edges) {
  const delta = unitsPerProduct - edge.node.stock.available;
  if (delta !== 0) {
    await client.as(admin, 'mutation($p: ID!, $d: Int!) { adjustStock(productId: $p, delta: $d, reason: "benchmark setup") { available } }', { p: edge.node.id, d: delta });
  }
}

const placedAt = new Map<string, number>();
const settledAt = new Map<string, { at: number; status: 'CONFIRMED' | 'CANCELLED' }>();
const consumer = `bench-${randomUUID().slice(0, 8)}`;
await bus.consume({
  consumer,
  types: [OrderEvents.confirmed.type, OrderEvents.cancelled.type],
  handler: async (event) => {
    const orderId = (event.payload as { orderId: string }).orderId;
    if (!settledAt.has(orderId)) settledAt.set(orderId, { at: performance.now(), status: event.type === OrderEvents.confirmed.type ? 'CONFIRMED' : 'CANCELLED' });
  },
});

const token = await client.tokenFor(shopper);
const placeLatency: number[] = [];
let next = 0;
const started = performance.now();
async function worker(): Promise<void> {
  while (next < totalOrders) {
    const n = next++;
    const t0 = performance.now();
    const result = await client.request<any>(
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
      { input: { idempotencyKey: randomUUID(), items: [{ productId: ids[n % ids.length], quantity: 1 }] } },
      { token },
    );
    const t1 = performance.now();
    if (!result.data?.placeOrder) throw new Error(`placeOrder failed: ${JSON.stringify(result.errors)}`);
    placedAt.set(result.data.placeOrder.id, t0);
    placeLatency.push(t1 - t0);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const placedDone = performance.now();

const deadline = Date.now() + 120_000;
while ([...placedAt.keys()].some((id) => !settledAt.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const finished = Math.max(...[...settledAt.values()].map((s) => s.at));

const endToEnd: number[] = [];
let confirmed = 0;
let cancelled = 0;
for (const [id, t0] of placedAt) {
  const settled = settledAt.get(id);
  if (!settled) continue;
  if (settled.status === 'CONFIRMED') {
    confirmed += 1;
    endToEnd.push(settled.at - t0);
  } else cancelled += 1;
}
const { products: after } = await client.as<any>(admin, `query($n: Int!) { products(first: $n) { edges { node { id stock { available reserved } } } } }`, { n: productsUsed });
const negative = after.edges.filter((e: any) => e.node.stock.available < 0 || e.node.stock.reserved < 0).length;
const capacity = unitsPerProduct * ids.length;

const seconds = (finished - started) / 1000;
const place = summarize(placeLatency);
const e2e = summarize(endToEnd);
console.log(`
checkout benchmark (${externalGateway ? `gateway ${gatewayUrl}` : `embedded: ${supergraph!.pglite ? 'PGlite' : 'PostgreSQL'}, ${process.env.NATS_URL ? 'NATS' : 'in-process bus'}`})
  orders placed          ${placedAt.size} by ${concurrency} concurrent clients over ${ids.length} products (${unitsPerProduct} units each, ${capacity} in all)
  settled                ${confirmed} confirmed, ${cancelled} cancelled, ${placedAt.size - confirmed - cancelled} unsettled after 120 s
  throughput             ${(placedAt.size / seconds).toFixed(1)} orders/s settled through the saga (${(placedAt.size / ((placedDone - started) / 1000)).toFixed(1)} orders/s accepted)
  placeOrder (HTTP)      p50 ${ms(place.p50)}  p95 ${ms(place.p95)}  p99 ${ms(place.p99)}
  placeOrder→CONFIRMED   p50 ${ms(e2e.p50)}  p95 ${ms(e2e.p95)}  p99 ${ms(e2e.p99)}  max ${ms(e2e.max)}
  oversell               ${confirmed > capacity ? `YES: ${confirmed} confirmed for ${capacity} units` : 'none'}; products with negative stock: ${negative}
  process RSS            ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB
`);

if (supergraph) await supergraph.stop();
else await bus.close();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
process.exit(confirmed > capacity || negative > 0 ? 1 : 0);
