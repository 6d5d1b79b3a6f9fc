// bench/startup: time from `npm start` to ready on a fresh and on an existing data dir, and the
// process's RSS after running every contract query and admin mutation.
//
//   npm run bench:startup
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GraphQLClient } from '../../tests/harness/graphql-client.js';

const root = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-startup-'));
const port = 4400;
const contract = {
  storefront: readFileSync(join(root, 'schema/operations/contract/storefront.graphql'), 'utf8'),
  dashboard: readFileSync(join(root, 'schema/operations/contract/dashboard.graphql'), 'utf8'),
};

/** The RSS of the process serving the gateway port (the node under tsx), in MB. */
function rssOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  const pids = [pid, ...children];
  const rss = pids.map((p) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0));
  return Math.max(...rss) / 1024;
}

async function start(): Promise<{ child: ChildProcess; ms: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'hosts/embedded.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      ...Object.fromEntries(['ACCOUNTS', 'CATALOG', 'INVENTORY', 'ORDERS', 'PAYMENTS', 'SHIPPING'].map((n, i) => [`${n}_PORT`, String(port + 1 + i)])),
      JWKS_URL: `http://localhost:${port + 1}/.well-known/jwks.json`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('is ready in')) ok();
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${out}`)));
  });
  return { child, ms: performance.now() - began };
}

async function stop(child: ChildProcess): Promise<number> {
  const began = performance.now();
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await exited;
  return performance.now() - began;
}

async function runContract(): Promise<number> {
  const client = new GraphQLClient(`http://localhost:${port}/graphql`);
  let operations = 0;
  const run = async (email: string, doc: string, name: string, variables: Record<string, unknown>) => {
    await client.as(email, doc, variables, name);
    operations += 1;
  };
  const { products } = await client.as<any>('alice@acme.test', contract.storefront, { first: 50 }, 'Catalog');
  operations += 1;
  const product = products.edges[0].node;
  const { me } = await client.as<any>('alice@acme.test', contract.storefront, { first: 10 }, 'MyOrders');
  operations += 1;
  await run('alice@acme.test', contract.storefront, 'Catalog', { first: 20, search: 'mug' });
  await run('alice@acme.test', contract.storefront, 'Product', { id: product.id });
  await run('alice@acme.test', contract.storefront, 'Order', { id: me.orders.edges[0].node.id });
  await run('admin@acme.test', contract.dashboard, 'DashboardOrders', { first: 20 });
  await run('admin@acme.test', contract.dashboard, 'LowStock', { threshold: 10 });
  await run('admin@acme.test', contract.dashboard, 'AdjustStock', { productId: product.id, delta: 5, reason: 'benchmark' });
  await run('admin@acme.test', contract.dashboard, 'CreateProduct', {
    input: { sku: `BENCH-${randomUUID().slice(0, 8)}`, name: 'Benchmark Lamp', description: '', price: { amount: 1999, currency: 'USD' }, categoryId: product.category.id },
  });
  return operations + 2; // the two logins
}

const fresh = await start();
const operations = await runContract();
const freshRss = rssOf(fresh.child.pid!);
const stopMs = await stop(fresh.child);
const again = await start();
const againIdle = rssOf(again.child.pid!);
await runContract();
const againRss = rssOf(again.child.pid!);
await stop(again.child);
rmSync(dataDir, { recursive: true, force: true });

console.log(`
npm start (embedded: six subgraphs + gateway, one PGlite), measured from spawn to "ready"
  fresh data dir (migrate + seed)   ${(fresh.ms / 1000).toFixed(1)} s to ready; RSS after ${operations} contract operations ${freshRss.toFixed(0)} MB
  existing data dir                 ${(again.ms / 1000).toFixed(1)} s to ready; RSS idle ${againIdle.toFixed(0)} MB, after the contract operations ${againRss.toFixed(0)} MB
  graceful stop (SIGTERM)           ${(stopMs / 1000).toFixed(1)} s
`);
