import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { SUBGRAPH_NAMES } from '#contracts';
import { REPO_ROOT } from '#platform/config';
import { GraphQLClient } from '../harness/graphql-client.js';
import { eventually, LiveClient } from '../harness/live-client.js';
import { ensureNatsRunning, NATS_URL } from '../harness/nats.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

// Any number of gateways can hold sockets: two gateway processes (`gateway/src/main.ts`, as
// `npm run start:gateway` runs it) on the machine's NATS, in front of the test's subgraphs, each
// delivering the events every subgraph publishes to JetStream.

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

let sg: TestSupergraph;
const gateways: GatewayProcess[] = [];
const clients: LiveClient[] = [];
const ACME = DEMO_TENANTS.find((t) => t.slug === 'acme')!;

/** Starts `gateway/src/main.ts` as its own process, with the test supergraph's subgraphs, keys and NATS namespace. */
async function startGatewayProcess(): Promise<GatewayProcess> {
  const config = sg.gatewayConfig;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PORT: '0',
    DATA_DIR: config.dataDir,
    JWKS_URL: config.jwksUrl,
    NATS_URL: config.natsUrl!,
    NATS_NAMESPACE: config.natsNamespace!,
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_URL_${name.toUpperCase()}`, sg.subgraphs[name].url])),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'gateway ready' && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`gateway process exited (${code}) before it was ready: ${stderr}`)));
  });
  const started = { child, url, exited };
  gateways.push(started);
  return started;
}

async function connect(gateway: GatewayProcess, email: string): Promise<LiveClient> {
  const client = await LiveClient.connect(gateway.url, await sg.client.tokenFor(email));
  clients.push(client);
  return client;
}

/** Subscriptions a gateway process runs, from its /metrics. */
async function running(gateway: GatewayProcess, field: string): Promise<number> {
  const text = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`gateway_subscriptions{field="${field}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function subscribed(gateway: GatewayProcess, client: LiveClient, document: string, variables: Record<string, unknown>, operationName: string, field: string) {
  const before = await running(gateway, field);
  const live = client.subscribe(document, variables, operationName);
  await eventually(`${operationName} to run on ${gateway.url}`, async () => (await running(gateway, field)) > before);
  return live;
}

beforeAll(async () => {
  await ensureNatsRunning();
  sg = await startTestSupergraph({ NATS_URL });
  await Promise.all([startGatewayProcess(), startGatewayProcess()]);
}, 180_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  for (const gateway of gateways) {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGTERM');
    await gateway.exited;
  }
  await sg?.stop();
});

describe('subscriptions on two gateway processes over NATS', () => {
  it("deliver an admin's stock change to the sockets of both gateways", async () => {
    const [a, b] = gateways as [GatewayProcess, GatewayProcess];
    const product = ACME.products[50]!;
    const onA = await subscribed(a, await connect(a, 'admin@acme.test'), contract.dashboard, { productIds: [product.id] }, 'LiveStock', 'stockChanged');
    const onB = await subscribed(b, await connect(b, 'admin@acme.test'), contract.dashboard, { productIds: [product.id] }, 'LiveStock', 'stockChanged');

    const { adjustStock } = await new GraphQLClient(a.url).as<any>('admin@acme.test', contract.dashboard, { productId: product.id, delta: 4, reason: 'Two gateways' }, 'AdjustStock');
    for (const live of [onA, onB]) {
      const event = await live.waitFor('the adjustment', (r) => r.data?.stockChanged?.available === adjustStock.available);
      expect(event.data!.stockChanged).toEqual({ product: { id: product.id, name: product.name }, available: adjustStock.available, reserved: adjustStock.reserved });
    }
  });

  it("bring a customer's order placed through one gateway to the customer's socket on the other and to the admin's LiveOrders", async () => {
    const [a, b] = gateways as [GatewayProcess, GatewayProcess];
    const mine = await subscribed(b, await connect(b, 'alice@acme.test'), contract.storefront, {}, 'OrderUpdated', 'orderUpdated');
    const dashboard = await subscribed(a, await connect(a, 'admin@acme.test'), contract.dashboard, {}, 'LiveOrders', 'orderUpdated');
    const product = ACME.products[51]!;
    const placed = await new GraphQLClient(a.url).as<any>('alice@acme.test', contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: product.id, quantity: 1 }] } }, 'PlaceOrder');
    const orderId = placed.placeOrder.id as string;
    const confirmed = await mine.waitFor('the order CONFIRMED', (r) => r.data?.orderUpdated?.id === orderId && r.data.orderUpdated.status === 'CONFIRMED', 60_000);
    expect(confirmed.data!.orderUpdated.payment).toEqual({ status: 'CAPTURED' });
    const row = await dashboard.waitFor('the order CONFIRMED on the dashboard', (r) => r.data?.orderUpdated?.id === orderId && r.data.orderUpdated.status === 'CONFIRMED', 60_000);
    expect(row.data!.orderUpdated).toEqual({ id: orderId, status: 'CONFIRMED', customer: { email: 'alice@acme.test' }, total: { amount: product.priceAmount, currency: 'USD' } });
  });

  it('close the sockets of a gateway stopped with SIGTERM with 1001 while the other gateway keeps streaming', async () => {
    const [a, b] = gateways as [GatewayProcess, GatewayProcess];
    const product = ACME.products[52]!;
    const onA = await subscribed(a, await connect(a, 'admin@acme.test'), contract.dashboard, { productIds: [product.id] }, 'LiveStock', 'stockChanged');
    const clientB = await connect(b, 'admin@acme.test');
    await subscribed(b, clientB, contract.dashboard, { productIds: [product.id] }, 'LiveStock', 'stockChanged');

    b.child.kill('SIGTERM');
    expect((await clientB.closed).code).toBe(1001);
    expect(await b.exited).toBe(0);

    const { adjustStock } = await new GraphQLClient(a.url).as<any>('admin@acme.test', contract.dashboard, { productId: product.id, delta: 1, reason: 'After SIGTERM' }, 'AdjustStock');
    await onA.waitFor('the adjustment on the remaining gateway', (r) => r.data?.stockChanged?.available === adjustStock.available);
  });
});
