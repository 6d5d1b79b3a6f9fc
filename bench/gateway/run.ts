// bench/gateway: our gateway against a stock @apollo/gateway on @apollo/server, one core each, on
// four static subgraphs and a fan-out query (the shape of the public federation gateway
// benchmark), then our gateway alone on the real commerce supergraph (commerce.ts).
//
//   npm run bench:gateway                       # 5 rounds of 10 s per gateway, 10 connections
//   npm run bench:gateway -- --duration 10 --rounds 5 --connections 10 --warmup 5
//   npm run bench:gateway -- --profile          # also write CPU profiles of both gateways (bench/gateway/.data/profiles)
//   npm run bench:gateway -- --no-commerce      # the static comparison only
//   npm run bench:gateway -- --commerce-only    # the commerce figure only
//   npm run bench:gateway -- --source           # our gateway from its TypeScript under tsx, not the build
//
// Run it alone on the machine: flock -x /work/cpu.lock npm run bench:gateway
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { args, ms, summarize } from '../lib/stats.js';
import { runCommerce } from './commerce.js';
import { closedLoop, firstDifference, pinSelf, requestJson, rssMb, startPinned, targetPool, type Child, type Target, type Window } from './load.js';
import { summarizeProfiles } from './profile-summary.js';
import { buildOurGateway, type OurGatewayEntry } from './our-gateway.js';
import { benchKeys, ourGatewayEnv, type BenchKeys } from './setup.js';
import { FANOUT_QUERY, STATIC_SUBGRAPHS } from './static-subgraphs.js';

const options = args();
const durationS = Number(options.get('duration') ?? 10);
const rounds = Number(options.get('rounds') ?? 5);
const connections = Number(options.get('connections') ?? 10);
const warmupS = Number(options.get('warmup') ?? 5);
const profile = options.has('profile');

const here = import.meta.dirname;
const root = resolve(here, '../..');
const work = join(here, '.data');
const profileDir = join(work, 'profiles');
const LOAD_CPU = 0;
const GATEWAY_CPU = 1;
const PORTS = { accounts: 4101, products: 4102, inventory: 4103, reviews: 4104, control: 4105, stock: 4130, ours: 4131, 'ours-unmerged': 4132 } as const;

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (values: number[]) => summarize(values).p50;

async function main(): Promise<void> {
  pinSelf(LOAD_CPU);
  mkdirSync(work, { recursive: true });
  if (profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const keys = await benchKeys();
  const ours: OurGatewayEntry = options.has('source') ? { script: join(here, 'gateway-process.ts'), args: ['ours'], ready: 'READY' } : buildOurGateway();
  if (!options.has('commerce-only')) await compareWithStock(keys, ours);
  if (!options.has('no-commerce')) {
    if (!options.has('commerce-only')) console.log('');
    await runCommerce({ durationS, rounds: Math.min(rounds, 3), connections, warmupS, keys, work, ours, profileDir: profile ? profileDir : undefined });
  }
}

async function compareWithStock(keys: BenchKeys, entry: OurGatewayEntry): Promise<void> {
  const composed = composeServices(
    STATIC_SUBGRAPHS.map((s) => ({ name: s.name, url: `http://127.0.0.1:${PORTS[s.name]}/graphql`, typeDefs: s.typeDefs })),
  );
  if (composed.errors || !composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
  const supergraphPath = join(work, 'static-supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);

  const children: Child[] = [];
  const stopAll = () => Promise.all(children.map((c) => c.stop()));
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    const subgraphs = await startPinned({
      name: 'static subgraphs',
      cpu: LOAD_CPU,
      script: join(here, 'subgraph-server.ts'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        BENCH_SUBGRAPH_PORTS: JSON.stringify(PORTS),
        BENCH_CONTROL_PORT: String(PORTS.control),
        BENCH_JWKS: JSON.stringify(keys.jwks),
      },
      ready: 'READY',
    });
    children.push(subgraphs);
    const prof = (name: string) => (profile ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : []);
    const oursProcess = (name: 'ours' | 'ours-unmerged') =>
      startPinned({
        name,
        cpu: GATEWAY_CPU,
        script: entry.script,
        args: entry.args,
        nodeArgs: prof(name),
        env: ourGatewayEnv(
          {
            PORT: String(PORTS[name]),
            SUPERGRAPH_PATH: supergraphPath,
            JWKS_URL: `http://127.0.0.1:${PORTS.control}/.well-known/jwks.json`,
            DATA_DIR: join(work, name),
            SUBGRAPH_FETCH_MERGING: name === 'ours' ? 'on' : 'off',
          },
          keys,
        ),
        ready: entry.ready,
      });
    const [stock, ours, unmerged] = await Promise.all([
      startPinned({
        name: 'stock',
        cpu: GATEWAY_CPU,
        script: join(here, 'gateway-process.ts'),
        args: ['stock'],
        nodeArgs: prof('stock'),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', PORT: String(PORTS.stock), SUPERGRAPH_PATH: supergraphPath },
        ready: 'READY',
      }),
      oursProcess('ours'),
      oursProcess('ours-unmerged'),
    ]);
    children.push(stock, ours, unmerged);

    const body = JSON.stringify({ query: FANOUT_QUERY, operationName: 'TopProductsAndReviewers' });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${keys.token}` };
    const control = targetPool(`http://127.0.0.1:${PORTS.control}/`, 1).pool;
    const counts = async () => JSON.parse(await (await control.request({ path: '/counts', method: 'GET' })).body.text()) as Record<string, number>;
    const resetCounts = async () => void (await (await control.request({ path: '/counts/reset', method: 'POST' })).body.text());

    // One request to each first: same answers, and how many subgraph requests each one costs.
    const targets: Target[] = [];
    const answers: unknown[] = [];
    const fetches: Record<string, number>[] = [];
    for (const [gateway, child] of [
      ['stock', stock],
      ['ours', ours],
      ['ours-unmerged', unmerged],
    ] as const) {
      const { pool, path } = targetPool(`http://127.0.0.1:${PORTS[gateway]}/graphql`, connections);
      await resetCounts();
      const answer = await requestJson({ name: gateway, pool, path, headers, body });
      fetches.push(await counts());
      if (answer.status !== 200 || (answer.json as { errors?: unknown }).errors) {
        throw new Error(`${gateway} answered HTTP ${answer.status}: ${JSON.stringify(answer.json).slice(0, 2_000)}`);
      }
      answers.push(answer.json);
      targets.push({ name: gateway, pid: child.pid, pool, path, headers, body, expectedBytes: answer.bytes });
    }
    const perRequest = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    for (const i of [1, 2]) {
      const difference = firstDifference(answers[0], answers[i]);
      if (difference) throw new Error(`the gateways answer differently (stock vs ${targets[i]!.name}) at ${difference}`);
      if (perRequest(fetches[0]!) !== perRequest(fetches[i]!)) {
        throw new Error(`the gateways make different subgraph requests: stock ${JSON.stringify(fetches[0])}, ${targets[i]!.name} ${JSON.stringify(fetches[i])}`);
      }
    }

    console.log('bench/gateway: 4 static subgraphs (node:http, memoized), query TopProductsAndReviewers');
    console.log(`  answer ${fmt(targets[0]!.expectedBytes / 1000)} kB (stock) / ${fmt(targets[1]!.expectedBytes / 1000)} kB (ours), the same JSON (deep-equal)`);
    console.log(
      `  ${perRequest(fetches[0]!)} subgraph requests per client request (${Object.entries(fetches[0]!)
        .map(([n, c]) => `${n} ${c}`)
        .join(', ')})`,
    );
    console.log(
      `  each gateway one process on CPU ${GATEWAY_CPU}; load and subgraphs on CPU ${LOAD_CPU}; ${connections} connections, closed loop;` +
        ` ${warmupS} s warm-up, then ${rounds} rounds of ${durationS} s per gateway, interleaved`,
    );

    for (const target of targets) await closedLoop(target, connections, warmupS * 1000);
    const windows: Record<string, Window[]> = { stock: [], ours: [], 'ours-unmerged': [] };
    for (let round = 0; round < rounds; round += 1) {
      // ABBA order, so a drift of the machine over the run weighs on both alike
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) windows[target.name]!.push(await closedLoop(target, connections, durationS * 1000, [process.pid, subgraphs.pid], GATEWAY_CPU));
    }

    const rows = targets.map((target) => {
      const w = windows[target.name]!;
      const completed = w.reduce((a, x) => a + x.completed, 0);
      const total = w.reduce((a, x) => a + x.total, 0);
      const cpu = w.reduce((a, x) => a + x.cpuMs, 0);
      const latency = summarize(w.flatMap((x) => x.latenciesMs));
      const errors = w.reduce((a, x) => a + x.errors, 0);
      return {
        name: target.name,
        rps: completed / (rounds * durationS),
        roundRps: w.map((x) => x.completed / durationS),
        p50: latency.p50,
        p99: latency.p99,
        cpuPerRequest: cpu / total,
        rss: rssMb(target.pid),
        // under 100 %, something else ran on the gateway's core while it was timed
        busy: (100 * cpu) / w.reduce((a, x) => a + x.elapsedMs, 0),
        // what other processes of the machine took from the gateway's CPU meanwhile
        stolen: (100 * (w.reduce((a, x) => a + x.targetCpuBusyMs, 0) - cpu)) / w.reduce((a, x) => a + x.elapsedMs, 0),
        errors,
        firstError: w.find((x) => x.firstError)?.firstError,
        loadCpu: (100 * w.reduce((a, x) => a + x.otherCpuMs[process.pid]!, 0)) / w.reduce((a, x) => a + x.elapsedMs, 0),
        subgraphCpu: (100 * w.reduce((a, x) => a + x.otherCpuMs[subgraphs.pid]!, 0)) / w.reduce((a, x) => a + x.elapsedMs, 0),
      };
    });
    console.log('');
    console.log('  gateway         req/s    p50        p99        CPU/request   req/CPU-s   CPU 1 busy   RSS after   req/s by round');
    for (const r of rows) {
      console.log(
        `  ${r.name.padEnd(14)}  ${fmt(r.rps).padStart(6)}   ${ms(r.p50).padEnd(9)}  ${ms(r.p99).padEnd(9)}  ${`${fmt(r.cpuPerRequest)} ms`.padStart(9)}     ${fmt(1000 / r.cpuPerRequest).padStart(7)}     ${`${fmt(r.busy, 0)} %`.padStart(6)}       ${`${fmt(r.rss, 0)} MB`.padStart(7)}     ${r.roundRps.map((x) => fmt(x)).join(' ')}`,
      );
    }
    const [s, ...mine] = rows as [(typeof rows)[number], ...(typeof rows)[number][]];
    for (const o of mine) {
      console.log(
        `  ${o.name}/stock: ${fmt(o.rps / s.rps, 2)}x requests/s (median of rounds ${fmt(median(o.roundRps) / median(s.roundRps), 2)}x), ${fmt(o.cpuPerRequest / s.cpuPerRequest, 2)}x CPU per request, p99 ${fmt(o.p99 / s.p99, 2)}x, RSS ${o.rss - s.rss >= 0 ? '+' : ''}${fmt(o.rss - s.rss, 0)} MB`,
      );
    }
    console.log('  (ours: identical in-flight subgraph fetches merged, the default; ours-unmerged: SUBGRAPH_FETCH_MERGING=off)');
    const names = rows.map((r) => r.name).join(' / ');
    console.log(`  CPU ${LOAD_CPU} while timing: load generator ${rows.map((r) => `${fmt(r.loadCpu, 0)}%`).join(' / ')}, static subgraphs ${rows.map((r) => `${fmt(r.subgraphCpu, 0)}%`).join(' / ')} of a core (${names})`);
    console.log(`  CPU ${GATEWAY_CPU} used by other processes of the machine while timing: ${rows.map((r) => `${fmt(Math.max(0, r.stolen), 0)}%`).join(' / ')} (${names}; requests/s are comparable only when all are near 0)`);
    console.log(`  our gateways printed ${ours.lines()} / ${unmerged.lines()} log lines (one per request at info)`);
    const failed = rows.filter((r) => r.errors > 0);
    for (const r of failed) console.error(`  ${r.name}: ${r.errors} bad answers, first: ${r.firstError}`);

    await Promise.all([stock.stop(), ours.stop(), unmerged.stop()]);
    if (profile) {
      console.log('');
      const timed = Object.fromEntries(Object.entries(windows).map(([name, w]) => [name, w.map((x) => x.monotonicUs)]));
      writeFileSync(join(profileDir, 'windows.json'), JSON.stringify(timed));
      for (const name of ['stock', 'ours', 'ours-unmerged']) summarizeProfiles(join(profileDir, name), name, root, timed[name]);
    }
    if (failed.length) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

await main();
