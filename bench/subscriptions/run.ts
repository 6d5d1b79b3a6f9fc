// bench/subscriptions: N concurrent graphql-ws subscribers on one gateway while orders flow through
// the checkout saga. Prints sockets connected, results delivered per second, event-to-client latency
// p50/p95/p99 (from the event's transaction committing in its subgraph, extensions.event.committedAt,
// to the result arriving at the client; and, for comparison, from the event occurring inside that
// transaction), and the gateway's CPU and RSS.
//
//   npm run bench:subscriptions                                    # embedded stack, 1,000 subscribers
//   npm run bench:subscriptions -- --subscribers 10000 --gateway-process
//       # the gateway as its own process (gateway/src/main.ts) on the machine's NATS: its RSS alone
//   npm run bench:subscriptions -- --subscribers 10000 --gateway-process --postgres
//       # and the subgraphs on the machine's PostgreSQL (fresh databases, dropped after), not one PGlite
//   npm run bench:subscriptions -- --subscribers 10000 --distributed
//       # the distributed stack: `npm run start:distributed`'s seven processes on fresh PostgreSQL
//       # databases and a nats-server of the run's own (ports from --port-base, default 4600)
//   options: --seconds 30  --orders-per-second 2  --admins <n>  --stock-watchers <n>  --nats <url>
//            --warmup 5 (seconds of the same order flow before the measured ones, not measured; 0: none)
//            --port-base <n>; databases are named BENCH_DB_PREFIX<subgraph> (default sc_bench_live_<pid>_)
//            --source (the gateway process from TypeScript under tsx, not the built dist/gateway.js)
//
// Subscribers: shoppers (customers created for the run) each on OrderUpdated for all their orders,
// admins on LiveOrders, a few admins on LiveStock; half in each demo tenant. Each order is placed
// by the next shopper, so its events go to one shopper's socket plus every admin socket of the tenant.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startSupergraph } from '../../hosts/supergraph.js';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { seedAll } from '../../prisma/seed.js';
import { SUBGRAPH_NAMES } from '#contracts';
import { REPO_ROOT } from '#platform/config';
import { buildDatabaseImage, openDatabaseFromImage } from '../../tests/harness/database-image.js';
import { GraphQLClient } from '../../tests/harness/graphql-client.js';
import { contract } from '../../tests/harness/operations.js';
import { TestTokens } from '../../tests/harness/test-tokens.js';
import { startDistributedStack } from '../lib/distributed-stack.js';
import { cpuMsOf, rssOf, TICKS_PER_SECOND } from '../lib/proc.js';
import { args, ms } from '../lib/stats.js';
import type { Command, Report, SubscriberSpec } from './subscribers.js';

const options = args();
const total = Number(options.get('subscribers') ?? 1_000);
const seconds = Number(options.get('seconds') ?? 30);
const ordersPerSecond = Number(options.get('orders-per-second') ?? 2);
const admins = Number(options.get('admins') ?? Math.max(2, Math.round(total * 0.01)));
const stockWatchers = Number(options.get('stock-watchers') ?? Math.max(2, Math.round(total * 0.005)));
const shopperCount = total - admins - stockWatchers;
const distributed = options.has('distributed');
const gatewayProcess = distributed || options.has('gateway-process');
const natsUrl = options.get('nats') ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const postgres = distributed || options.has('postgres');
const pgAdmin = `postgresql://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432`;
if (shopperCount < 2) throw new Error('--subscribers must leave room for at least two shoppers');

const sleep = (msTime: number) => new Promise((r) => setTimeout(r, msTime));
const log = (line: string) => console.error(`[bench] ${line}`);

// --- the stack ---------------------------------------------------------------------------------
const tokens = await TestTokens.create();
// the admins' sockets share two users: caps above the run's socket count
const socketCaps = { SUBSCRIPTION_MAX_SOCKETS_PER_USER: String(total + 1), SUBSCRIPTION_MAX_SOCKETS_PER_TENANT: String(total + 1) };
const dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-subscriptions-'));
const namespace = gatewayProcess ? `bench${randomUUID().replace(/-/g, '').slice(0, 10)}` : undefined;
const databasePrefix = process.env.BENCH_DB_PREFIX ?? `sc_bench_live_${process.pid}_`;
const databases = postgres && !distributed ? SUBGRAPH_NAMES.map((name) => ({ name, database: `${databasePrefix}${name}` })) : [];
async function onPostgres(statements: string[]): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: `${pgAdmin}/postgres` });
  await admin.connect();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.end();
  }
}
await onPostgres(databases.map((d) => `CREATE DATABASE ${d.database}`));
const pglite = postgres ? undefined : await openDatabaseFromImage(await buildDatabaseImage());
const stack = distributed
  ? await startDistributedStack({
      portBase: Number(options.get('port-base') ?? 4600),
      postgresUrl: pgAdmin,
      databasePrefix,
      namespace: namespace!,
      env: { ...tokens.env, ...socketCaps },
      log,
    })
  : undefined;
const supergraph = stack ? undefined : await startSupergraph({
  env: {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ...tokens.env,
    ...socketCaps,
    ...(namespace ? { NATS_URL: natsUrl, NATS_NAMESPACE: namespace } : {}),
    ...Object.fromEntries(databases.map((d) => [`DATABASE_URL_${d.name.toUpperCase()}`, `${pgAdmin}/${d.database}`])),
  },
  pglite,
  ephemeralPorts: true,
  beforeGateway: postgres ? (subgraphs) => seedAll(Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.runtime.db])) as never) : undefined,
});
log(stack ? `distributed stack up (${stack.processes.map((p) => `${p.name} ${p.pid}`).join(', ')})` : `supergraph up (${postgres ? 'PostgreSQL' : 'PGlite'}, ${namespace ? `NATS namespace ${namespace}` : 'in-process bus'})`);

let gatewayChild: ChildProcess | undefined;
let gatewayUrl = stack?.gatewayUrl ?? supergraph!.gateway.url;
if (supergraph && gatewayProcess) {
  // as production runs it: `npm run build`'s dist/gateway.js on plain node (`--source`: from TypeScript under tsx)
  const entry = options.has('source') ? ['--import', 'tsx', 'gateway/src/main.ts'] : ['dist/gateway.js'];
  // the build of what is checked out now, not of whatever was last built
  if (!options.has('source')) execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  gatewayChild = spawn(process.execPath, entry, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATA_DIR: dataDir,
      JWKS_URL: supergraph.gatewayConfig.jwksUrl,
      ...socketCaps,
      NATS_URL: natsUrl,
      NATS_NAMESPACE: namespace!,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_URL_${name.toUpperCase()}`, supergraph.subgraphs[name].url])),
    },
  });
  gatewayUrl = await new Promise<string>((resolveUrl, reject) => {
    createInterface({ input: gatewayChild!.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'gateway ready' && entry.url) resolveUrl(entry.url);
      } catch {
        // not a log line
      }
    });
    gatewayChild!.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
  });
  log(`gateway process ${gatewayChild.pid} at ${gatewayUrl}`);
}

const metricsUrl = gatewayUrl.replace(/\/graphql$/, '/metrics');
/** A metric of a Prometheus text summed over all its label sets. */
function metricTotal(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
async function gatewayMetric(name: string): Promise<number> {
  return metricTotal(await (await fetch(metricsUrl)).text(), name);
}
/** The /metrics texts of the distributed stack's subgraphs, in the order of its processes. */
async function subgraphMetricTexts(): Promise<{ name: string; text: string }[]> {
  const subgraphs = stack!.processes.filter((p) => p.metrics && p.name !== 'gateway');
  return Promise.all(subgraphs.map(async (p) => ({ name: p.name, text: await (await fetch(p.metrics!)).text() })));
}
/** Cumulative bucket counts of a histogram in a Prometheus text, over the label sets that contain `labels`: upper bound (s) → count. */
function histogramOf(text: string, name: string, labels = ''): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`) || !line.includes(labels)) continue;
    const match = /le="([^"]+)".*\} (\S+)$/.exec(line);
    if (!match) continue;
    const bound = match[1] === '+Inf' ? Infinity : Number(match[1]);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets;
}
/** A quantile of what a histogram recorded between two readings, interpolated within its bucket (as Prometheus does). */
function quantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i += 1) {
    if (counts[i]! >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i] === Infinity ? lower : bounds[i]!;
      const below = i === 0 ? 0 : counts[i - 1]!;
      return (lower + ((upper - lower) * (rank - below)) / Math.max(1, counts[i]! - below)) * 1_000;
    }
  }
  return Number.NaN;
}
/** The upper bound (ms) of the highest bucket that recorded anything between two readings. */
function maxBound(before: Map<number, number>, after: Map<number, number>): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  let below = 0;
  let highest = Number.NaN;
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count > below) highest = bound * 1_000;
    below = count;
  }
  return highest;
}
/** p50/p95/p99 (ms) of what a histogram recorded between two readings, and how many it recorded. */
function spread(before: Map<number, number>, after: Map<number, number>): { p50: number; p95: number; p99: number; n: number } {
  const n = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  return { p50: quantile(before, after, 0.5), p95: quantile(before, after, 0.95), p99: quantile(before, after, 0.99), n };
}
const spreadText = (x: { p50: number; p95: number; p99: number }) => `p50 ≈${ms(x.p50)}  p95 ≈${ms(x.p95)}  p99 ≈${ms(x.p99)}`;
/** The gateway's stages of an event result (gateway_subscription_stage_seconds), in the order a result goes through them. */
const STAGES = ['queued', 'entity_fetch', 'rest', 'fan_out', 'socket_queue', 'socket_write'] as const;
/** Every histogram the run reads off the gateway, by a name of the bench's own. */
const gatewayHistograms: Record<string, [string, string?]> = {
  arrival: ['gateway_subscription_event_arrival_seconds'],
  execution: ['gateway_subscription_execution_seconds'],
  lateness: ['process_timer_lateness_seconds'],
  ...Object.fromEntries(STAGES.map((stage) => [stage, ['gateway_subscription_stage_seconds', `stage="${stage}"`] as [string, string]])),
};
async function readGatewayHistograms(): Promise<Record<string, Map<number, number>>> {
  const text = await (await fetch(metricsUrl)).text();
  return Object.fromEntries(Object.entries(gatewayHistograms).map(([key, [name, labels]]) => [key, histogramOf(text, name, labels)]));
}
/** Per subgraph process (distributed): the relay's two stages and its timer lateness. */
async function readSubgraphHistograms(): Promise<{ name: string; waiting: Map<number, number>; publishing: Map<number, number>; lateness: Map<number, number> }[]> {
  if (!stack) return [];
  return (await subgraphMetricTexts()).map(({ name, text }) => ({
    name,
    waiting: histogramOf(text, 'outbox_relay_seconds', 'stage="waiting"'),
    publishing: histogramOf(text, 'outbox_relay_seconds', 'stage="publishing"'),
    lateness: histogramOf(text, 'process_timer_lateness_seconds'),
  }));
}
/** Sums histograms bucket by bucket. */
function merged(histograms: Map<number, number>[]): Map<number, number> {
  const sum = new Map<number, number>();
  for (const h of histograms) for (const [bound, count] of h) sum.set(bound, (sum.get(bound) ?? 0) + count);
  return sum;
}
/** Busy CPU ms of the whole machine, all cores (/proc/stat): what the run's processes do not account for was someone else's. */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = fields[0]! + fields[1]! + fields[2]! + fields[5]! + fields[6]! + fields[7]!;
  return (busy * 1_000) / TICKS_PER_SECOND;
}
/** CPU ms of every PostgreSQL process on the machine (the server and its backends: the run holds the machine). */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    total += cpuMsOf(Number(entry)) ?? 0;
  }
  return total;
}

/** CPU seconds the gateway's process used so far (embedded: the whole stack's process). */
async function gatewayCpuSeconds(): Promise<number> {
  if (gatewayProcess) return gatewayMetric('process_cpu_seconds_total');
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
/**
 * The gateway's resident memory: its own process's from /proc, or (embedded) the one process of the
 * whole stack. Not from its /metrics: with 10,000 sockets a scrape costs the gateway tens of ms
 * (prom-client lists every open fd and handle), and a scrape a second was a tenth of its CPU.
 */
async function gatewayRss(): Promise<number> {
  const pid = stack ? stack.processes.find((p) => p.name === 'gateway')!.pid : gatewayChild?.pid;
  return pid === undefined ? process.memoryUsage().rss : rssOf(pid) ?? Number.NaN;
}

/** Until every saga event is handled: the embedded stack knows; the distributed one says so on its services' /metrics. */
async function settle(): Promise<void> {
  if (!stack) return supergraph!.settle();
  const waiting = ['outbox_backlog', 'events_consumer_pending', 'events_consumer_ack_pending'];
  let quiet = 0;
  const deadline = Date.now() + 120_000;
  while (quiet < 3 && Date.now() < deadline) {
    const left = (await subgraphMetricTexts()).reduce((sum, { text }) => sum + waiting.reduce((n, name) => n + metricTotal(text, name), 0), 0);
    quiet = left === 0 ? quiet + 1 : 0;
    await sleep(200);
  }
}

/** Per subgraph of the distributed stack: GraphQL operations served so far and the seconds they took. */
async function servedBySubgraphs(): Promise<{ name: string; count: number; seconds: number }[]> {
  if (!stack) return [];
  return (await subgraphMetricTexts()).map(({ name, text }) => ({
    name,
    count: metricTotal(text, 'graphql_request_duration_seconds_count'),
    seconds: metricTotal(text, 'graphql_request_duration_seconds_sum'),
  }));
}

/** A PostgreSQL connection with the one call the shoppers' insert needs. */
async function databaseOf(url: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    $executeRawUnsafe: async (sql: string, ...params: unknown[]) => (await client.query(sql, params)).rowCount ?? 0,
    close: () => client.end(),
  };
}

// --- people and stock --------------------------------------------------------------------------
const tenants = DEMO_TENANTS.map((t) => ({
  id: t.id,
  admin: t.users.find((u) => u.role === 'ADMIN')!,
  products: t.products.filter((p) => p.priceAmount < 10_000).slice(0, 20),
}));
const shoppers = Array.from({ length: shopperCount }, (_, n) => ({ id: randomUUID(), tenant: tenants[n % tenants.length]! }));
const accounts = stack ? await databaseOf(`${pgAdmin}/${stack.databases.accounts}`) : supergraph!.subgraphs.accounts.runtime.db;
for (let i = 0; i < shoppers.length; i += 500) {
  const batch = shoppers.slice(i, i + 500);
  const params = batch.flatMap((s, n) => [s.id, s.tenant.id, `shopper-${i + n}@bench.test`]);
  const rows = batch.map((_, n) => `($${n * 3 + 1}::uuid, $${n * 3 + 2}::uuid, $${n * 3 + 3}, 'Bench Shopper', 'CUSTOMER', 'not-a-login', now())`);
  await accounts.$executeRawUnsafe(`INSERT INTO "accounts"."User" ("id", "tenantId", "email", "name", "role", "passwordHash", "updatedAt") VALUES ${rows.join(', ')}`, ...params);
}
if (stack) await (accounts as Awaited<ReturnType<typeof databaseOf>>).close();
const http = new GraphQLClient(gatewayUrl);
for (const tenant of tenants) {
  const adminToken = await tokens.sign({ userId: tenant.admin.id, tenantId: tenant.id, role: 'ADMIN' }, 3_600);
  for (const product of tenant.products) {
    const result = await http.request(contract.dashboard, { productId: product.id, delta: 1_000_000, reason: 'bench' }, { operationName: 'AdjustStock', token: adminToken });
    if (result.errors) throw new Error(`stock top-up failed: ${JSON.stringify(result.errors)}`);
  }
}
await settle();
log(`${shoppers.length} shoppers created, stock topped up`);

// --- subscribers ---------------------------------------------------------------------------------
const specs: SubscriberSpec[] = [];
for (const shopper of shoppers) {
  specs.push({ token: await tokens.sign({ userId: shopper.id, tenantId: shopper.tenant.id, role: 'CUSTOMER' }, 3_600), query: contract.storefront, operationName: 'OrderUpdated', variables: {} });
}
for (let n = 0; n < admins + stockWatchers; n += 1) {
  const tenant = tenants[n % tenants.length]!;
  const token = await tokens.sign({ userId: tenant.admin.id, tenantId: tenant.id, role: 'ADMIN' }, 3_600);
  specs.push({ token, query: contract.dashboard, operationName: n < admins ? 'LiveOrders' : 'LiveStock', variables: {} });
}

const client = fork(resolve(REPO_ROOT, 'bench/subscriptions/subscribers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
function ask<T extends Report['type']>(command: Command, answer?: T): Promise<Extract<Report, { type: T }>> {
  return new Promise((resolveReport) => {
    if (answer) {
      const onMessage = (report: Report) => {
        if (report.type !== answer) return;
        client.off('message', onMessage);
        resolveReport(report as Extract<Report, { type: T }>);
      };
      client.on('message', onMessage);
    }
    client.send(command);
    if (!answer) resolveReport(undefined as never);
  });
}

const connectStarted = performance.now();
const { connected, failed } = await ask({ type: 'start', url: gatewayUrl, subscribers: specs, connectConcurrency: 100 }, 'connected');
const until = Date.now() + 120_000;
while ((await gatewayMetric('gateway_subscriptions')) < connected && Date.now() < until) await sleep(200);
const running = await gatewayMetric('gateway_subscriptions');
log(`${connected} sockets connected (${failed} refused), ${running} subscriptions running, in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`);

// --- orders flow -------------------------------------------------------------------------------
const shopperTokens = specs.slice(0, shoppers.length).map((s) => s.token);
/** Orders at --orders-per-second for `forSeconds`, by the shoppers from `first` on; resolves once all are answered. */
async function placeOrders(forSeconds: number, first: number): Promise<{ placed: number; refused: number }> {
  let placed = 0;
  let refused = 0;
  const inFlight = new Set<Promise<void>>();
  const begun = performance.now();
  for (let n = 0; performance.now() - begun < forSeconds * 1_000; n += 1) {
    const due = begun + (n * 1_000) / ordersPerSecond;
    if (due > performance.now()) await sleep(due - performance.now());
    const k = first + n;
    const shopper = shoppers[k % shoppers.length]!;
    const product = shopper.tenant.products[k % shopper.tenant.products.length]!;
    const order = http
      .request(contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: product.id, quantity: 1 }] } }, { operationName: 'PlaceOrder', token: shopperTokens[k % shoppers.length] })
      .then((result) => {
        if (result.errors) refused += 1;
        else placed += 1;
      });
    inFlight.add(order);
    void order.finally(() => inFlight.delete(order));
  }
  await Promise.all(inFlight);
  return { placed, refused };
}
// not measured: the first orders through a fresh stack run every code path for the first time (JIT,
// prepared statements, query plans, connection pools); a gateway in service is past that
const warmup = Number(options.get('warmup') ?? 5);
if (warmup > 0) {
  await placeOrders(warmup, 0);
  await settle();
  await sleep(1_000);
  log(`warmed up: ${warmup} s of orders, not measured`);
}
await ask({ type: 'reset' });
const cpuAtStart = await gatewayCpuSeconds();
const histogramsAtStart = await readGatewayHistograms();
const subgraphHistogramsAtStart = await readSubgraphHistograms();
const clientCpuAtStart = cpuMsOf(client.pid!) ?? Number.NaN;
const benchCpuAtStart = process.cpuUsage();
const postgresCpuAtStart = postgresCpuMs();
const machineAtStart = machineBusyMs();
const fetchesAtStart = { count: await gatewayMetric('gateway_subgraph_fetch_duration_seconds_count'), sum: await gatewayMetric('gateway_subgraph_fetch_duration_seconds_sum') };
const gcAtStart = await gatewayMetric('nodejs_gc_duration_seconds_sum');
// this process runs the subgraphs (and the outbox relays): how long its event loop stalled
const subgraphLoop = monitorEventLoopDelay({ resolution: 10 });
subgraphLoop.enable();
const processesAtStart = stack ? stack.processes.map((p) => ({ name: p.name, cpu: cpuMsOf(p.pid) ?? Number.NaN })) : [];
const servedAtStart = await servedBySubgraphs();
const rss: number[] = [await gatewayRss()];
const sampler = setInterval(() => void gatewayRss().then((v) => rss.push(v)), 1_000);
const started = performance.now();
const { placed, refused } = await placeOrders(seconds, Math.ceil(warmup * ordersPerSecond));
const placing = (performance.now() - started) / 1_000;
await settle();
// results still on their way: wait until the count stops growing
let last = -1;
let report = await ask({ type: 'report' }, 'report');
while (report.received !== last) {
  last = report.received;
  await sleep(1_000);
  report = await ask({ type: 'report' }, 'report');
}
const elapsed = (performance.now() - started) / 1_000 - 1;
const cpuUsed = (await gatewayCpuSeconds()) - cpuAtStart;
const fetches = {
  count: (await gatewayMetric('gateway_subgraph_fetch_duration_seconds_count')) - fetchesAtStart.count,
  sum: (await gatewayMetric('gateway_subgraph_fetch_duration_seconds_sum')) - fetchesAtStart.sum,
};
const histogramsAtEnd = await readGatewayHistograms();
const gatewaySpread = (key: string) => spread(histogramsAtStart[key]!, histogramsAtEnd[key]!);
const arrival = gatewaySpread('arrival');
const execution = gatewaySpread('execution');
const subgraphHistogramsAtEnd = await readSubgraphHistograms();
const relayStage = (stage: 'waiting' | 'publishing') =>
  spread(merged(subgraphHistogramsAtStart.map((h) => h[stage])), merged(subgraphHistogramsAtEnd.map((h) => h[stage])));
const subgraphLateness = subgraphHistogramsAtEnd.map((h, i) => ({ name: h.name, ...spread(subgraphHistogramsAtStart[i]!.lateness, h.lateness) }));
const clientCpu = ((cpuMsOf(client.pid!) ?? Number.NaN) - clientCpuAtStart) / 1_000 / elapsed;
const benchCpuUsed = process.cpuUsage(benchCpuAtStart);
const benchCpu = (benchCpuUsed.user + benchCpuUsed.system) / 1e6 / elapsed;
const postgresCpu = (postgresCpuMs() - postgresCpuAtStart) / 1_000 / elapsed;
const machineCpu = (machineBusyMs() - machineAtStart) / 1_000 / elapsed;
clearInterval(sampler);
rss.push(await gatewayRss());
subgraphLoop.disable();
const servedAtEnd = await servedBySubgraphs();
const served = servedAtEnd.map((s, i) => ({ name: s.name, count: s.count - servedAtStart[i]!.count, seconds: s.seconds - servedAtStart[i]!.seconds }));
const processCpu = processesAtStart.map((p, i) => ({ name: p.name, share: ((cpuMsOf(stack!.processes[i]!.pid) ?? Number.NaN) - p.cpu) / 1_000 / elapsed }));
const gcSeconds = (await gatewayMetric('nodejs_gc_duration_seconds_sum')) - gcAtStart;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(`
subscriptions benchmark (${distributed ? 'distributed stack: seven processes on PostgreSQL and a nats-server of its own' : `${gatewayProcess ? 'gateway process on NATS' : 'embedded gateway, in-process bus'}; subgraphs in one process on ${postgres ? 'PostgreSQL' : 'PGlite'}`}; subscribers in a process of their own)
  subscribers            ${total}: ${shoppers.length} shoppers on OrderUpdated, ${admins} admins on LiveOrders, ${stockWatchers} on LiveStock (two tenants)
  connected              ${connected} sockets (${failed} refused), ${running} subscriptions running at the gateway
  orders                 ${placed} placed in ${placing.toFixed(1)} s (${(placed / placing).toFixed(1)}/s)${refused ? `, ${refused} refused` : ''}
  delivered              ${report.received} results (${(report.received / elapsed).toFixed(0)}/s)${report.errors ? `, ${report.errors} with errors` : ''}; ${report.closed} sockets closed during the run
  event → client         p50 ${ms(report.latency.p50)}  p95 ${ms(report.latency.p95)}  p99 ${ms(report.latency.p99)}  max ${ms(report.latency.max)}   (from the event's commit${report.withoutCommitTime ? `; ${report.withoutCommitTime} results without a commit time, from their occurrence` : ''})
    from occurrence      p50 ${ms(report.fromOccurred.p50)}  p95 ${ms(report.fromOccurred.p95)}  p99 ${ms(report.fromOccurred.p99)}   (occurredAt is stamped inside the transaction, before its commit)
    event → gateway      ${spreadText(arrival)}   (from the commit: outbox relay and bus, from the gateway's histogram)
${
  stack
    ? `      relay waiting      ${spreadText(relayStage('waiting'))}   (commit → the relay's batch read the event, all subgraphs)
      relay publishing   ${spreadText(relayStage('publishing'))}   (batch read → JetStream stored it)
`
    : ''
}    gateway → socket     ${spreadText(execution)}   (received → handed to the sockets' queues, per topic)
${STAGES.map((stage) => `      ${stage.padEnd(17)}${spreadText(gatewaySpread(stage))}   (${gatewaySpread(stage).n} observed)`).join('\n')}
  event loops            gateway timer lateness ${spreadText(gatewaySpread('lateness'))}  max ≤${ms(maxBound(histogramsAtStart.lateness!, histogramsAtEnd.lateness!))}${
    subgraphLateness.length ? `\n                         subgraphs' timer lateness p99: ${subgraphLateness.map((l) => `${l.name} ${ms(l.p99)}`).join(', ')}` : ''
  }
                         subscribers' process event loop delay p50 ${ms(report.loopDelay.p50)}  p99 ${ms(report.loopDelay.p99)}  max ${ms(report.loopDelay.max)}
  per second             ${report.timeline.map((t) => `${t.received}:${t.max}`).join(' ')}   (results arrived: the slowest, ms from commit)
  subgraph fetches       ${fetches.count} by the gateway (${(fetches.count / elapsed).toFixed(0)}/s, HTTP queries included), ${ms((fetches.sum / Math.max(1, fetches.count)) * 1_000)} each on average
  gateway CPU            ${((cpuUsed / elapsed) * 100).toFixed(0)}% of one core over the run${gatewayProcess ? '' : ' (the whole embedded stack)'}; GC ${(gcSeconds * 1_000).toFixed(0)} ms in all
${
  stack
    ? `  processes' CPU         ${processCpu.map((p) => `${p.name} ${(p.share * 100).toFixed(0)}%`).join(', ')}, postgres ${(postgresCpu * 100).toFixed(0)}%,
                         subscribers ${(clientCpu * 100).toFixed(0)}%, load generator ${(benchCpu * 100).toFixed(0)}% (of one core, over the run)
  subgraphs served       ${served.map((s) => `${s.name} ${s.count} in ${ms((s.seconds / Math.max(1, s.count)) * 1_000)}`).join(', ')} (GraphQL operations and their mean time, as each subgraph measured it)`
    : `  processes' CPU         subscribers ${(clientCpu * 100).toFixed(0)}%, this process (load${gatewayProcess ? ', subgraphs' : ', the whole stack'}) ${(benchCpu * 100).toFixed(0)}%, postgres ${(postgresCpu * 100).toFixed(0)}% (of one core, over the run)
  subgraphs' event loop  delay p50 ${ms(subgraphLoop.percentile(50) / 1e6)}  p99 ${ms(subgraphLoop.percentile(99) / 1e6)}  max ${ms(subgraphLoop.max / 1e6)}   (the process of the six subgraphs and their relays)`
}
  machine                ${(machineCpu * 100).toFixed(0)}% busy of ${availableParallelism() * 100}% (every process, ours and any other)
  gateway RSS            ${mb(rss.at(-1)!)} at the end, ${mb(Math.max(...rss))} peak${gatewayProcess ? '' : ` (the whole embedded stack: gateway, six subgraphs${postgres ? '' : ', PGlite'})`}
`);

await ask({ type: 'stop' });
if (gatewayChild) {
  gatewayChild.kill('SIGTERM');
  await new Promise((r) => gatewayChild!.once('exit', r));
}
await supergraph?.stop();
await stack?.stop();
await pglite?.close();
if (stack) await onPostgres(Object.values(stack.databases).map((database) => `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
await onPostgres(databases.map((d) => `DROP DATABASE IF EXISTS ${d.database} WITH (FORCE)`));
if (namespace && !stack) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  for (const stream of [`${namespace.toUpperCase()}_EVENTS`, `${namespace.toUpperCase()}_DLQ`]) await jsm.streams.delete(stream).catch(() => false);
  await nc.close();
}
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
