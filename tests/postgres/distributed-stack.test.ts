import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#platform/config';
import { SUBGRAPH_NAMES } from '#contracts';
import { codeOf, GraphQLClient } from '../harness/graphql-client.js';
import { ensureNatsRunning, NATS_URL } from '../harness/nats.js';
import { contract } from '../harness/operations.js';
import { freePort } from '../harness/process-stack.js';

// `npm run start:distributed` as a platform team runs it: seven processes on this machine's
// PostgreSQL (databases of their own), NATS (a namespace of its own) and Redis.

const PG_ADMIN = `postgresql://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432`;
// databases of this file's own (another checkout on the same server may run it too: set DIST_DB_PREFIX)
const DB_PREFIX = process.env.DIST_DB_PREFIX ?? 'sc_dist_';
const namespace = `dist${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'sc-distributed-'));
const stateFile = join(dataDir, 'distributed.json');

interface ServiceState {
  name: string;
  pid: number;
  url: string;
  metrics: string;
  readyz: string;
}

let launcher: ChildProcess;
let output = '';
let services: Record<string, ServiceState>;
let client: GraphQLClient;
let collector: Server;
/** What the processes exported over OTLP/HTTP (JSON): one entry per span, with its process's service.name. */
const exported: { service: string; traceId: string; spanId: string; parentSpanId: string; name: string }[] = [];
const checkoutTrace = randomBytes(16).toString('hex');
const credentialSecret = randomBytes(32).toString('base64url');
/** The user-token signing key, given as production gives it: accounts alone may hold it. */
const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const hex = (id: string | undefined) => (!id ? '' : /^[0-9a-f]*$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex'));

/** A stand-in for the OpenTelemetry Collector: accepts OTLP/HTTP JSON on /v1/traces. */
function startCollector(): Promise<number> {
  collector = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const payload = JSON.parse(body.toString()) as { resourceSpans?: any[] };
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const service = resourceSpans.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue ?? '';
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            exported.push({ service, traceId: hex(span.traceId), spanId: hex(span.spanId), parentSpanId: hex(span.parentSpanId), name: span.name });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => collector.listen(0, '127.0.0.1', () => resolve((collector.address() as { port: number }).port)));
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}\n--- launcher output ---\n${output.slice(-4_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function dropDatabases(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${PG_ADMIN}/postgres` });
  await admin.connect();
  try {
    for (const name of SUBGRAPH_NAMES) await admin.query(`DROP DATABASE IF EXISTS ${DB_PREFIX}${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sums the samples of one metric whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let found: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => own[key] === value)) found = (found ?? 0) + Number(match[3]);
  }
  return found;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The machine's Redis (see the env notes), started when it is not running. */
async function ensureRedisRunning(): Promise<void> {
  const answers = async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  };
  if (await answers()) return;
  execFileSync('redis-server', ['--bind', '127.0.0.1', '--port', new URL(REDIS_URL).port || '6379', '--daemonize', 'yes', '--save', ''], { stdio: 'ignore' });
  await eventually('Redis to answer', answers, 30_000);
}

const metricsOf = async (service: string) => (await fetch(services[service]!.metrics)).text();

beforeAll(async () => {
  await ensureNatsRunning();
  await ensureRedisRunning();
  await dropDatabases();
  const ports = await Promise.all([...SUBGRAPH_NAMES, 'gateway'].map(() => freePort()));
  const collectorPort = await startCollector();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    NATS_URL,
    NATS_NAMESPACE: namespace,
    REDIS_URL,
    OUTBOX_POLL_MS: '100',
    PAYMENT_LATENCY_MS: '0',
    PORT: String(ports[6]),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
    // the SDK's own setting: export every half second rather than every five
    OTEL_BSP_SCHEDULE_DELAY: '500',
    // as production passes it: the launcher derives each subgraph's key and hands it only that one
    GATEWAY_CREDENTIAL_SECRET: credentialSecret,
    JWT_PRIVATE_KEY: signingKey,
    JWT_KEY_ID: `dist-${namespace}`,
  };
  SUBGRAPH_NAMES.forEach((name, i) => {
    env[`DATABASE_URL_${name.toUpperCase()}`] = `${PG_ADMIN}/${DB_PREFIX}${name}`;
    env[`${name.toUpperCase()}_PORT`] = String(ports[i]);
  });
  launcher = spawn('npm', ['run', '--silent', 'start:distributed'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually('the stack to be ready', async () => existsSync(stateFile) && output.includes('start:distributed | ready'), 240_000);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { services: ServiceState[] };
  services = Object.fromEntries(state.services.map((s) => [s.name, s]));
  client = new GraphQLClient(services.gateway!.url);
}, 300_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) launcher.kill('SIGKILL');
  for (const service of Object.values(services ?? {})) if (alive(service.pid)) process.kill(service.pid, 'SIGKILL');
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const stream of [`${namespace.toUpperCase()}_EVENTS`, `${namespace.toUpperCase()}_DLQ`]) await jsm.streams.delete(stream).catch(() => false);
  await nc.close();
  await dropDatabases();
  await new Promise((resolve) => collector?.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const storefront = (email: string, operationName: string, variables: Record<string, unknown> = {}) => client.as<any>(email, contract.storefront, variables, operationName);
const dashboard = (email: string, operationName: string, variables: Record<string, unknown> = {}) => client.as<any>(email, contract.dashboard, variables, operationName);

describe('the distributed stack', () => {
  it('runs every service as its own process, each ready on its own port', async () => {
    expect(Object.keys(services).sort()).toEqual([...SUBGRAPH_NAMES, 'gateway'].sort());
    expect(new Set(Object.values(services).map((s) => s.pid)).size).toBe(7);
    for (const service of Object.values(services)) {
      expect(alive(service.pid), service.name).toBe(true);
      expect((await fetch(service.readyz)).status, service.name).toBe(200);
    }
  });

  it("hands the gateway the credential secret and no database, each subgraph process only its own database and key, the signing key only to accounts", () => {
    const environOf = (pid: number) =>
      Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      ) as Record<string, string>;
    const gateway = environOf(services.gateway!.pid);
    expect(gateway.GATEWAY_CREDENTIAL_SECRET).toBe(credentialSecret);
    expect(gateway.REDIS_URL).toBe(REDIS_URL);
    expect(Object.keys(gateway).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_KEYS_'))).toEqual([]);
    expect(Object.keys(gateway).filter((v) => v.startsWith('DATABASE_URL'))).toEqual([]);
    expect(Object.keys(gateway).filter((v) => v.startsWith('JWT_PRIVATE_KEY') || v === 'JWT_KEY_ID')).toEqual([]);
    expect(JSON.stringify(gateway)).not.toContain('PRIVATE KEY');
    for (const name of SUBGRAPH_NAMES) {
      const own = environOf(services[name]!.pid);
      const upper = name.toUpperCase();
      expect(Object.keys(own).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_')), name).toEqual([`GATEWAY_CREDENTIAL_KEYS_${upper}`]);
      expect(JSON.stringify(own), name).not.toContain(credentialSecret);
      expect(Object.keys(own).filter((v) => v.startsWith('DATABASE_URL')), name).toEqual([`DATABASE_URL_${upper}`]);
      expect(own[`DATABASE_URL_${upper}`], name).toBe(`${PG_ADMIN}/${DB_PREFIX}${name}`);
      expect(own.REDIS_URL, name).toBeUndefined();
      if (name === 'accounts') expect(own.JWT_PRIVATE_KEY).toBe(signingKey);
      else expect(JSON.stringify(own), name).not.toContain('PRIVATE KEY');
    }
  });

  it('answers the storefront contract through the gateway process', async () => {
    const login = await client.request<any>(contract.storefront, { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' }, { operationName: 'Login' });
    expect(login.data.login.user).toMatchObject({ email: 'alice@acme.test', role: 'CUSTOMER' });

    const catalog = await storefront('alice@acme.test', 'Catalog', { first: 50 });
    expect(catalog.products.totalCount).toBe(120);
    const page2 = await storefront('alice@acme.test', 'Catalog', { first: 50, after: catalog.products.pageInfo.endCursor });
    expect(page2.products.edges).toHaveLength(50);
    const mug = await storefront('alice@acme.test', 'Catalog', { first: 10, search: 'blue mug' });
    expect(mug.products.totalCount).toBe(1);
    const product = await storefront('alice@acme.test', 'Product', { id: mug.products.edges[0].node.id });
    expect(product.product).toMatchObject({ name: 'Blue Mug', stock: { available: expect.any(Number) } });

    const mine = await storefront('alice@acme.test', 'MyOrders', { first: 10 });
    expect(mine.me.orders.totalCount).toBeGreaterThanOrEqual(4);
    const shipped = mine.me.orders.edges.find((e: any) => e.node.status === 'SHIPPED').node;
    const { order } = await storefront('alice@acme.test', 'Order', { id: shipped.id });
    expect(order.customer.email).toBe('alice@acme.test');
    expect(order.items[0].product.name).toEqual(expect.any(String));
    expect(order.payment).toMatchObject({ status: 'CAPTURED' });
    expect(order.shipment).toMatchObject({ status: 'IN_TRANSIT' });
  });

  it('answers the dashboard contract, and its mutations reach the other processes through NATS', async () => {
    const orders = await dashboard('admin@acme.test', 'DashboardOrders', { first: 20, status: 'DELIVERED' });
    expect(orders.orders.edges.every((e: any) => e.node.status === 'DELIVERED')).toBe(true);
    const { lowStock } = await dashboard('admin@acme.test', 'LowStock', { threshold: 10 });
    expect(lowStock.length).toBeGreaterThan(0);
    const adjusted = await dashboard('admin@acme.test', 'AdjustStock', { productId: lowStock[0].product.id, delta: 5, reason: 'Restock' });
    expect(adjusted.adjustStock.available).toBe(lowStock[0].available + 5);

    const { products } = await client.as<any>('admin@acme.test', '{ products(first: 1) { edges { node { category { id } } } } }');
    const input = { sku: `DIST-${Date.now()}`, name: 'Distributed Lamp', description: 'Lit across processes.', price: { amount: 2599, currency: 'USD' }, categoryId: products.edges[0].node.category.id };
    const created = await dashboard('admin@acme.test', 'CreateProduct', { input });
    // inventory learns of the product from catalog's event: its stock row appears, then takes units
    await eventually('inventory to know the new product', async () => {
      const stocked = await client.request<any>(contract.dashboard, { productId: created.createProduct.id, delta: 3, reason: 'First delivery' }, { token: await client.tokenFor('admin@acme.test'), operationName: 'AdjustStock' });
      return stocked.data?.adjustStock?.available === 3;
    });

    const denied = await client.request(contract.dashboard, { first: 5 }, { token: await client.tokenFor('alice@acme.test'), operationName: 'DashboardOrders' });
    expect(codeOf(denied)).toBe('FORBIDDEN');
  });

  it('takes a checkout through the saga across the orders, inventory, payments and shipping processes', async () => {
    const { products } = await storefront('alice@acme.test', 'Catalog', { first: 1, search: 'Green Skillet' });
    const placed = await client.request<any>(
      contract.storefront,
      { input: { idempotencyKey: randomUUID(), items: [{ productId: products.edges[0].node.id, quantity: 1 }] } },
      { token: await client.tokenFor('alice@acme.test'), operationName: 'PlaceOrder', headers: { traceparent: `00-${checkoutTrace}-${randomBytes(8).toString('hex')}-01` } },
    );
    const { placeOrder } = placed.data;
    expect(placeOrder.status).toBe('PENDING');
    const order = await eventually('the order to be confirmed', async () => {
      const { order } = await storefront('alice@acme.test', 'Order', { id: placeOrder.id });
      return order.status === 'CONFIRMED' && order.shipment ? order : undefined;
    });
    expect(order.payment).toMatchObject({ status: 'CAPTURED' });
    expect(order.shipment).toMatchObject({ status: 'PENDING', trackingNumber: expect.stringMatching(/^TRK/) });
  });

  it("exports that checkout as one trace over OTLP from every process it crossed, SQL and saga consumers included", async () => {
    const wanted = ['gateway', 'orders', 'inventory', 'payments', 'shipping'];
    const spans = await eventually('the checkout trace from every process', async () => {
      const mine = exported.filter((s) => s.traceId === checkoutTrace);
      const services = new Set(mine.map((s) => s.service));
      const ids = new Set(mine.map((s) => s.spanId));
      // complete once every span's parent has arrived too (parents end, and are exported, last)
      const orphans = mine.filter((s) => !ids.has(s.parentSpanId));
      const complete = orphans.length === 1 && wanted.every((w) => services.has(w));
      return complete && mine.some((s) => s.service === 'shipping' && s.name === 'process orders.order.confirmed') ? { mine, orphans } : undefined;
    });
    // a single tree: the only span whose parent is not in the trace is the gateway's, under the client's
    expect(spans.orphans.map((s) => `${s.service} ${s.name}`)).toEqual(['gateway POST /graphql']);
    const has = (service: string, name: string) => spans.mine.some((s) => s.service === service && s.name === name);
    expect(has('gateway', 'gateway.fetch')).toBe(true);
    expect(has('orders', 'POST /graphql')).toBe(true);
    expect(has('orders', 'resolve Mutation.placeOrder')).toBe(true);
    expect(has('orders', 'prisma:client:db_query')).toBe(true);
    expect(has('orders', 'publish orders.order.placed')).toBe(true);
    expect(has('inventory', 'process orders.order.placed')).toBe(true);
    expect(has('inventory', 'prisma:client:db_query')).toBe(true);
    expect(has('payments', 'process inventory.stock.reserved')).toBe(true);
    expect(has('orders', 'process payments.payment.captured')).toBe(true);
  });

  it('exposes request, fetch, event, outbox, consumer, runtime and pool metrics on every process after that traffic', async () => {
    const gateway = await metricsOf('gateway');
    expect(sample(gateway, 'graphql_requests_total', { service: 'gateway', operation: 'Catalog', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(gateway, 'graphql_requests_total', { service: 'gateway', operation: 'DashboardOrders', outcome: 'error' })).toBeGreaterThan(0);
    expect(sample(gateway, 'graphql_request_duration_seconds_count', { service: 'gateway', operation: 'PlaceOrder' })).toBeGreaterThan(0);
    for (const subgraph of SUBGRAPH_NAMES) {
      expect(sample(gateway, 'gateway_subgraph_fetch_duration_seconds_count', { subgraph }), subgraph).toBeGreaterThan(0);
      expect(sample(gateway, 'gateway_subgraph_up', { subgraph }), subgraph).toBe(1);
    }
    expect(gateway).toContain('# TYPE gateway_subscriptions gauge');
    expect(gateway).toContain('# TYPE gateway_subscription_events_total counter');

    for (const name of SUBGRAPH_NAMES) {
      const text = await metricsOf(name);
      expect(sample(text, 'graphql_requests_total', { service: name }), name).toBeGreaterThan(0);
      expect(sample(text, 'db_statements_total', { service: name }), name).toBeGreaterThan(0);
      expect(sample(text, 'db_pool_connections', { service: name, state: 'max' }), name).toBeGreaterThan(0);
      expect(sample(text, 'db_pool_connections', { service: name }), name).toBeGreaterThan(sample(text, 'db_pool_connections', { service: name, state: 'max' })!);
      expect(sample(text, 'outbox_backlog', { service: name }), name).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'outbox_oldest_event_age_seconds', { service: name }), name).toBeGreaterThanOrEqual(0);
      expect(text).toContain('# TYPE events_dead_lettered_total counter');
      expect(sample(text, 'nodejs_eventloop_lag_seconds'), name).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'nodejs_eventloop_lag_max_seconds'), name).toBeGreaterThan(0);
      expect(sample(text, 'nodejs_heap_size_used_bytes'), name).toBeGreaterThan(0);
    }
    const published = (text: string, service: string, type: string) => sample(text, 'events_published_total', { service, type });
    expect(published(await metricsOf('orders'), 'orders', 'orders.order.placed')).toBeGreaterThan(0);
    expect(published(await metricsOf('payments'), 'payments', 'payments.payment.captured')).toBeGreaterThan(0);
    for (const [name, type] of [
      ['inventory', 'orders.order.placed'],
      ['payments', 'inventory.stock.reserved'],
      ['orders', 'payments.payment.captured'],
      ['shipping', 'orders.order.confirmed'],
    ] as const) {
      const text = await metricsOf(name);
      expect(sample(text, 'events_consumed_total', { type, outcome: 'ok' }), `${name} consumed ${type}`).toBeGreaterThan(0);
      expect(sample(text, 'events_consumer_pending'), `${name} consumer lag`).toBeGreaterThanOrEqual(0);
    }
  });

  it('shows a killed subgraph on the gateway /readyz body and metrics, stays ready itself, and the rest keeps answering', async () => {
    process.kill(services.shipping!.pid, 'SIGKILL');
    const readiness = await eventually('the gateway to report shipping down', async () => {
      const response = await fetch(services.gateway!.readyz);
      const body = (await response.json()) as { status: string; checks: { subgraphs: Record<string, { ready: boolean }> } };
      return response.status === 200 && !body.checks.subgraphs.shipping!.ready ? body : undefined;
    });
    expect(readiness.status).toBe('ready');
    expect(readiness.checks.subgraphs.orders).toMatchObject({ ready: true });

    const mine = await storefront('alice@acme.test', 'MyOrders', { first: 10 });
    const order = await client.request<any>(contract.storefront, { id: mine.me.orders.edges[0].node.id }, { token: await client.tokenFor('alice@acme.test'), operationName: 'Order' });
    expect(order.data.order.customer.email).toBe('alice@acme.test');
    expect(order.data.order.shipment).toBeNull();
    expect(order.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'shipping' });

    const gateway = await metricsOf('gateway');
    expect(sample(gateway, 'gateway_subgraph_up', { subgraph: 'shipping' })).toBe(0);
    expect(sample(gateway, 'gateway_subgraph_up', { subgraph: 'orders' })).toBe(1);
    expect(sample(gateway, 'gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'shipping', outcome: 'failed' })).toBeGreaterThan(0);
    expect(alive(services.orders!.pid)).toBe(true);
  });

  it('stops every process when the launcher is told to stop', async () => {
    const { launcherPid } = JSON.parse(readFileSync(stateFile, 'utf8')) as { launcherPid: number };
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    process.kill(launcherPid, 'SIGTERM');
    expect(await exited).toBe(0);
    for (const service of Object.values(services)) expect(alive(service.pid), service.name).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
  }, 60_000);
});
