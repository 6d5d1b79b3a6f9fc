// bench/checkout: orders per second through the whole checkout saga to a terminal state, placeOrder
// latency and placeOrder → CONFIRMED (p50/p95/p99), and what an order costs: CPU ms per process
// (from /proc), SQL statements and transactions per subgraph, events published and handled. Ends with
// an oversell check and the orders left PENDING.
//
//   npm run bench:checkout                                   # embedded: one process, PGlite, in-process bus
//   npm run bench:checkout -- --orders 2000 --concurrency 32
//   npm run bench:checkout -- --distributed --orders 4000 --concurrency 32
//       # starts its own distributed stack: the launcher's 7 processes on PostgreSQL (fresh databases
//       # BENCH_DB_PREFIX<name>, default sc_bench_), a nats-server of its own (its CPU is the run's),
//       # ports from --port-base (default 25000); BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432)
//   npm run bench:checkout -- --profile DIR                  # and a V8 CPU profile of each process (embedded: the one)
//   npm run bench:checkout -- --gateway http://localhost:4000/graphql --nats nats://127.0.0.1:4222
//       # an already running distributed stack (npm run start:distributed); NATS_NAMESPACE if it uses one.
//       # When it is start:distributed's (its state file, $DATA_DIR/distributed.json or --state FILE, names
//       # that gateway), each process's CPU, the PostgreSQL backends and the counters are measured as well
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { startSupergraph, type Supergraph } from '../../hosts/supergraph.js';
import { seedAll } from '../../prisma/seed.js';
import { OrderEvents } from '#contracts';
import { type EventBus, createEventBus } from '#platform/events';
import { registry } from '#platform/observability';
import { GraphQLClient } from '../../tests/harness/graphql-client.js';
import { args, ms, summarize } from '../lib/stats.js';
import { type Counters, CpuMeter, countersOf, databaseActivity, difference } from './cost.js';
import { startDistributedStack, type DistributedStack } from '../lib/distributed-stack.js';
import { attachToRunningStack, type MeasuredStack } from '../lib/running-stack.js';
import { TICKS_PER_SECOND } from '../lib/proc.js';

const options = args();
const totalOrders = Number(options.get('orders') ?? 1000);
const concurrency = Number(options.get('concurrency') ?? 16);
const productsUsed = Number(options.get('products') ?? 20);
const externalGateway = options.get('gateway');
const distributed = options.has('distributed');

let supergraph: Supergraph | undefined;
let stack: DistributedStack | undefined;
let dataDir: string | undefined;
let bus: EventBus;
let gatewayUrl: string;
/** A stack started outside the bench, when its launcher's state file could be read. */
let external: MeasuredStack | undefined;

if (distributed) {
  const namespace = process.env.NATS_NAMESPACE ?? 'bench';
  stack = await startDistributedStack({
    portBase: Number(options.get('port-base') ?? 25000),
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432',
    databasePrefix: process.env.BENCH_DB_PREFIX ?? 'sc_bench_',
    namespace,
    env: {
      ...(options.get('payment-latency') ? { PAYMENT_LATENCY_MS: options.get('payment-latency')! } : {}),
      // --profile DIR: every service writes a V8 CPU profile there when it stops (read with bench/checkout/profile-summary.ts)
      ...(options.get('profile')
        ? { BENCH_PROFILE_DIR: resolve(options.get('profile')!), NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(resolve('bench/checkout/cpu-profile.mjs')).href}`.trim() }
        : {}),
    },
    log: (line) => console.log(`  | ${line}`),
  });
  gatewayUrl = stack.gatewayUrl;
  bus = await createEventBus({ natsUrl: stack.natsUrl, natsNamespace: namespace }, pino({ level: 'warn' }));
} else if (externalGateway) {
  gatewayUrl = externalGateway;
  const natsUrl = options.get('nats') ?? 'nats://127.0.0.1:4222';
  bus = await createEventBus({ natsUrl, natsNamespace: options.get('namespace') }, pino({ level: 'warn' }));
  external = attachToRunningStack(gatewayUrl, resolve(options.get('state') ?? join(process.env.DATA_DIR ?? '.data', 'distributed.json')), process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432');
} else {
  if (options.get('profile')) {
    // --profile DIR embedded: this one process is profiled, as each service is when distributed
    process.env.BENCH_PROFILE_DIR = resolve(options.get('profile')!);
    await import(pathToFileURL(resolve('bench/checkout/cpu-profile.mjs')).href);
  }
  dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-checkout-'));
  supergraph = await startSupergraph({
    // rate limits off, as distributed: one shopper places every order
    env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: dataDir, PAYMENT_LATENCY_MS: options.get('payment-latency') ?? '0', PORT: '0', RATE_LIMIT_USER: 'off', RATE_LIMIT_TENANT: 'off', ...pickEnv() },
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
/** ms since the epoch, comparable between the bench's threads */
const now = () => performance.timeOrigin + performance.now();
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
// a broadcast subscription, not a durable consumer: the bench adds no deliveries of its own to the saga's
const stopWatching = await bus.subscribe({
  types: [OrderEvents.confirmed.type, OrderEvents.cancelled.type],
  handler: async (event) => {
    const orderId = (event.payload as { orderId: string }).orderId;
    if (!settledAt.has(orderId)) settledAt.set(orderId, { at: now(), status: event.type === OrderEvents.confirmed.type ? 'CONFIRMED' : 'CANCELLED' });
  },
});

const token = await client.tokenFor(shopper);

/** What is measured: the stack the bench started, one started outside it, or (undefined) the embedded process. */
const measured: MeasuredStack | undefined = stack ?? external;
const postgres = measured && Object.keys(measured.databases).length ? { url: `${measured.postgresUrl}/postgres`, databases: measured.databases } : undefined;
/** Every process's Prometheus text: scraped over HTTP when distributed, this process's registry when embedded. */
async function metricsTexts(): Promise<string[]> {
  if (externalGateway && !external) return [];
  if (!measured) return [await registry.metrics()];
  return Promise.all(measured.processes.filter((p) => p.metrics).map(async (p) => (await fetch(p.metrics!)).text()));
}
const countersBefore: Counters = countersOf(await metricsTexts());
const activityBefore = postgres ? await databaseActivity(postgres.url, postgres.databases) : undefined;
const meter = new CpuMeter(
  measured ? measured.processes.map(({ name, pid }) => ({ name, pid })).concat({ name: 'load generator', pid: process.pid }) : [{ name: externalGateway ? 'load generator' : 'embedded', pid: process.pid }],
  postgres,
);
await meter.begin();
const placeLatency: number[] = [];
// the shoppers run on a worker thread (load-worker.mjs): embedded, the supergraph keeps its one thread
const started = now();
const shoppers = await new Promise<{ placed: [string, number, number][]; cpuMs: number }>((resolvePlaced, reject) => {
  const load = new Worker(new URL('./load-worker.mjs', import.meta.url), {
    workerData: { url: gatewayUrl, token, ids, totalOrders, concurrency, ticksPerSecond: TICKS_PER_SECOND },
  });
  load.once('message', resolvePlaced);
  load.once('error', reject);
});
for (const [id, t0, latency] of shoppers.placed) {
  placedAt.set(id, t0);
  placeLatency.push(latency);
}
const placedDone = now();

const deadline = Date.now() + 120_000;
while ([...placedAt.keys()].some((id) => !settledAt.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const finished = Math.max(...[...settledAt.values()].map((s) => s.at));
const cpu = await meter.end();
if (!measured && !externalGateway) {
  // embedded, the shoppers' thread is part of the one process: shown apart, as the load generator is when distributed
  cpu.set('embedded', cpu.get('embedded')! - shoppers.cpuMs);
  cpu.set('load generator', shoppers.cpuMs);
}
if (postgres) await new Promise((r) => setTimeout(r, 1_500)); // pg_stat_database lags a little
const countersAfter = countersOf(await metricsTexts());
const activityAfter = postgres ? await databaseActivity(postgres.url, postgres.databases) : undefined;
await stopWatching();

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

const pendingLeft: number = (await client.as<any>(admin, `{ pendingLeft: orders(first: 1, status: PENDING) { totalCount } }`)).pendingLeft.totalCount;
const seconds = (finished - started) / 1000;
const settledCount = confirmed + cancelled;
const perOrder = (n: number) => (settledCount ? n / settledCount : NaN);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const cpuTotal = [...cpu.entries()].filter(([name]) => name !== 'load generator').reduce((sum, [, v]) => sum + v, 0);
const cpuRows = [...cpu.entries()].sort((a, b) => b[1] - a[1]).map(([name, used]) => `    ${name.padEnd(40)} ${fmt(perOrder(used), 2).padStart(7)} ms/order  (${fmt(used / 1000, 1)} s, ${fmt((100 * used) / (finished - started), 0)} % of a core)`);
const statements = difference(countersAfter.statements, countersBefore.statements);
const published = difference(countersAfter.published, countersBefore.published);
const consumed = difference(countersAfter.consumed, countersBefore.consumed);
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const statementRows = [...statements.entries()].sort().map(([service, n]) => {
  const a = activityAfter?.get(service);
  const b = activityBefore?.get(service);
  const tx = a && b ? `, ${fmt(perOrder(a.commits - b.commits))} commits, ${fmt(perOrder(a.rollbacks - b.rollbacks))} rollbacks` : '';
  return `    ${service.padEnd(12)} ${fmt(perOrder(n)).padStart(6)} statements/order${tx}`;
});
const eventRows = [...published.entries()].sort().map(([type, n]) => `    ${type.padEnd(36)} ${fmt(perOrder(n), 2)}/order`);
const consumedRows = [...consumed.entries()].sort().map(([consumer, n]) => `    ${consumer.padEnd(12)} ${fmt(perOrder(n), 2)} handled/order`);
const unmeasured = externalGateway && !external;
const costBlock = unmeasured
  ? `  CPU per order          not measured: no state file of start:distributed names this gateway (--state FILE); the load generator used ${fmt(perOrder(cpu.get('load generator') ?? NaN), 2)} ms/order`
  : `  CPU per order          ${fmt(perOrder(cpuTotal), 2)} ms summed over ${measured ? 'every process of the stack (load generator apart)' : 'the one process (its load generator thread apart)'}; goal 10 ms (${fmt(perOrder(cpuTotal) / 10, 1)}×)
${cpuRows.join('\n')}${measured?.notes.length ? `\n${measured.notes.map((note) => `    (${note})`).join('\n')}` : ''}
  SQL per order          ${fmt(perOrder(sum(statements)))} statements through the driver adapters in all
${statementRows.join('\n')}
  events per order       ${fmt(perOrder(sum(published)), 2)} published, ${fmt(perOrder(sum(consumed)), 2)} handled by saga consumers
${eventRows.join('\n')}
${consumedRows.join('\n')}`;
const place = summarize(placeLatency);
const e2e = summarize(endToEnd);
console.log(`
checkout benchmark (${stack ? 'distributed: 7 processes, PostgreSQL, NATS JetStream' : externalGateway ? `gateway ${gatewayUrl}${external ? `, start:distributed's ${external.processes.length} processes measured` : ''}` : `embedded: ${supergraph!.pglite ? 'PGlite' : 'PostgreSQL'}, ${process.env.NATS_URL ? 'NATS' : 'in-process bus'}`})
  orders placed          ${placedAt.size} by ${concurrency} concurrent clients over ${ids.length} products (${unitsPerProduct} units each, ${capacity} in all)
  settled                ${confirmed} confirmed, ${cancelled} cancelled, ${placedAt.size - confirmed - cancelled} unsettled after 120 s
  throughput             ${(placedAt.size / seconds).toFixed(1)} orders/s to a terminal state, ${(confirmed / seconds).toFixed(1)} to CONFIRMED (${(placedAt.size / ((placedDone - started) / 1000)).toFixed(1)} orders/s accepted)
  placeOrder (HTTP)      p50 ${ms(place.p50)}  p95 ${ms(place.p95)}  p99 ${ms(place.p99)}
  placeOrder→CONFIRMED   p50 ${ms(e2e.p50)}  p95 ${ms(e2e.p95)}  p99 ${ms(e2e.p99)}  max ${ms(e2e.max)}
  oversell               ${confirmed > capacity ? `YES: ${confirmed} confirmed for ${capacity} units` : 'none'}; products with negative stock: ${negative}; orders left PENDING: ${pendingLeft}
${costBlock}
  load generator RSS     ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB
`);

if (supergraph) await supergraph.stop();
else await bus.close();
if (stack) await stack.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
process.exit(confirmed > capacity || negative > 0 ? 1 : 0);
