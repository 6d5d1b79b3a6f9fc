// bench/gateway, second part: our gateway alone (production settings, one core) in front of the real
// six commerce subgraphs (npm start's embedded stack, PGlite, on the other core), serving the
// storefront's catalog page and order page from the client contract. The subgraphs and their
// database, not the gateway, limit the requests per second here; the gateway's CPU per request is
// the figure to watch.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, print, type DefinitionNode } from 'graphql';
import { ms, summarize } from '../lib/stats.js';
import type { OurGatewayEntry } from './our-gateway.js';
import { closedLoop, requestJson, rssMb, startPinned, targetPool, type Child, type Target, type Window } from './load.js';
import { summarizeProfiles } from './profile-summary.js';
import { ourGatewayEnv, type BenchKeys } from './setup.js';

const here = import.meta.dirname;
const root = resolve(here, '../..');
const SUBGRAPHS = ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'] as const;
const PORTS = { stack: 4140, firstSubgraph: 4141, gateway: 4150 } as const;
const subgraphPort = (name: (typeof SUBGRAPHS)[number]) => PORTS.firstSubgraph + SUBGRAPHS.indexOf(name);

/** One operation of the contract with the fragments it uses, as a client sends it. */
function operation(file: string, name: string): string {
  const document = parse(readFileSync(join(root, 'schema/operations/contract', file), 'utf8'));
  const wanted = document.definitions.filter((d: DefinitionNode) => (d.kind === 'OperationDefinition' && d.name?.value === name) || d.kind === 'FragmentDefinition');
  if (!wanted.some((d) => d.kind === 'OperationDefinition')) throw new Error(`no operation ${name} in ${file}`);
  return wanted.map((d) => print(d)).join('\n');
}

/** Subgraph fetches the gateway has made so far, from its own /metrics. */
async function gatewayFetches(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const match of text.matchAll(/^gateway_subgraph_fetch_duration_seconds_count\{[^}]*\} (\d+)/gm)) total += Number(match[1]);
  return total;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export async function runCommerce(options: {
  durationS: number;
  rounds: number;
  connections: number;
  warmupS: number;
  keys: BenchKeys;
  work: string;
  ours: OurGatewayEntry;
  profileDir: string | undefined;
}): Promise<void> {
  const { keys } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-gateway-'));
  const children: Child[] = [];
  try {
    // The stack derives its subgraphs' keys from the bench's gateway secret, so they accept the
    // bench's gateway (and its own, idle here).
    const signing = {
      GATEWAY_CREDENTIAL_SECRET: keys.gatewayCredentialSecret,
      GATEWAY_CREDENTIAL_KEY_ID: keys.gatewayCredentialKeyId,
    };
    const stack = await startPinned({
      name: 'commerce stack',
      cpu: 0,
      script: join(here, 'gateway-process.ts'),
      args: ['commerce-stack'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        PORT: String(PORTS.stack),
        ...Object.fromEntries(SUBGRAPHS.map((n) => [`${n.toUpperCase()}_PORT`, String(subgraphPort(n))])),
        ...signing,
      },
      ready: 'is ready in',
      timeoutMs: 300_000,
    });
    children.push(stack);
    const gateway = await startPinned({
      name: 'ours (commerce)',
      cpu: 1,
      script: options.ours.script,
      args: options.ours.args,
      nodeArgs: options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(options.profileDir, 'ours-commerce')] : [],
      env: ourGatewayEnv(
        {
          PORT: String(PORTS.gateway),
          SUPERGRAPH_PATH: join(root, 'schema/supergraph.graphql'),
          JWKS_URL: `http://127.0.0.1:${subgraphPort('accounts')}/.well-known/jwks.json`,
          DATA_DIR: join(options.work, 'ours-commerce'),
          ...Object.fromEntries(SUBGRAPHS.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, `http://127.0.0.1:${subgraphPort(n)}/graphql`])),
        },
        keys,
      ),
      ready: options.ours.ready,
    });
    children.push(gateway);

    const url = `http://127.0.0.1:${PORTS.gateway}/graphql`;
    const metricsUrl = `http://127.0.0.1:${PORTS.gateway}/metrics`;
    const { pool, path } = targetPool(url, options.connections);
    const json = { 'content-type': 'application/json' };
    const login = await requestJson({
      name: 'login',
      pool,
      path,
      headers: json,
      body: JSON.stringify({ query: operation('storefront.graphql', 'Login'), operationName: 'Login', variables: { tenant: 'acme', email: 'alice@acme.test', password: 'demo-password' } }),
    });
    const token = (login.json as { data?: { login?: { token?: string } } }).data?.login?.token;
    if (!token) throw new Error(`login failed: ${JSON.stringify(login.json).slice(0, 1_000)}`);
    const headers = { ...json, authorization: `Bearer ${token}` };
    const orders = await requestJson({ name: 'orders', pool, path, headers, body: JSON.stringify({ query: operation('storefront.graphql', 'MyOrders'), operationName: 'MyOrders', variables: { first: 10 } }) });
    const edges = (orders.json as { data?: { me?: { orders?: { edges?: { node: { id: string; status: string } }[] } } } }).data?.me?.orders?.edges ?? [];
    const order = edges.find((e) => e.node.status === 'DELIVERED') ?? edges[0];
    if (!order) throw new Error(`alice has no orders: ${JSON.stringify(orders.json).slice(0, 1_000)}`);

    const pages = [
      { name: 'catalog page', operationName: 'Catalog', variables: { first: 20 } },
      { name: 'order page', operationName: 'Order', variables: { id: order.node.id } },
    ];
    const targets: (Target & { fetches: number })[] = [];
    for (const page of pages) {
      const body = JSON.stringify({ query: operation('storefront.graphql', page.operationName), operationName: page.operationName, variables: page.variables });
      const before = await gatewayFetches(metricsUrl);
      const answer = await requestJson({ name: page.name, pool, path, headers, body });
      const fetches = (await gatewayFetches(metricsUrl)) - before;
      if (answer.status !== 200 || (answer.json as { errors?: unknown }).errors) throw new Error(`${page.name} failed: ${JSON.stringify(answer.json).slice(0, 2_000)}`);
      targets.push({ name: page.name, pid: gateway.pid, pool, path, headers, body, expectedBytes: answer.bytes, fetches });
    }

    console.log('bench/gateway, commerce: our gateway (production settings, CPU 1) on the six real subgraphs (npm start\'s embedded stack, PGlite, CPU 0)');
    console.log(`  ${options.connections} connections; ${options.warmupS} s warm-up, then ${options.rounds} rounds of ${options.durationS} s per page, interleaved`);
    for (const target of targets) await closedLoop(target, options.connections, options.warmupS * 1000);
    const windows = new Map<string, Window[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < options.rounds; round += 1) {
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        windows.get(target.name)!.push(await closedLoop(target, options.connections, options.durationS * 1000, [stack.pid]));
      }
    }
    console.log('');
    console.log('  page           answer    subgraph fetches   req/s    p50        p99        gateway CPU/request   stack CPU/request');
    let failed = false;
    for (const target of targets) {
      const w = windows.get(target.name)!;
      const total = w.reduce((a, x) => a + x.total, 0);
      const latency = summarize(w.flatMap((x) => x.latenciesMs));
      const errors = w.reduce((a, x) => a + x.errors, 0);
      const rps = w.reduce((a, x) => a + x.completed, 0) / (options.rounds * options.durationS);
      const gatewayCpu = w.reduce((a, x) => a + x.cpuMs, 0) / total;
      const stackCpu = w.reduce((a, x) => a + x.otherCpuMs[stack.pid]!, 0) / total;
      console.log(
        `  ${target.name.padEnd(13)}  ${`${fmt(target.expectedBytes / 1000)} kB`.padStart(8)}  ${String(target.fetches).padStart(8)}           ${fmt(rps).padStart(6)}   ${ms(latency.p50).padEnd(9)}  ${ms(latency.p99).padEnd(9)}  ${`${fmt(gatewayCpu)} ms`.padStart(9)}             ${`${fmt(stackCpu)} ms`.padStart(9)}`,
      );
      if (errors) {
        failed = true;
        console.error(`  ${target.name}: ${errors} bad answers, first: ${w.find((x) => x.firstError)?.firstError}`);
      }
    }
    const all = [...windows.values()].flat();
    const elapsed = all.reduce((a, x) => a + x.elapsedMs, 0);
    console.log(`  gateway RSS after the run ${fmt(rssMb(gateway.pid), 0)} MB; CPU 1 used by other processes of the machine while timing: ${fmt(Math.max(0, (100 * all.reduce((a, x) => a + x.targetCpuBusyMs - x.cpuMs, 0)) / elapsed), 0)}%`);
    await gateway.stop();
    if (options.profileDir) {
      console.log('');
      summarizeProfiles(join(options.profileDir, 'ours-commerce'), 'ours (commerce)', root, [...windows.values()].flat().map((w) => w.monotonicUs));
    }
    if (failed) process.exitCode = 1;
  } finally {
    for (const child of children.reverse()) await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
