// bench/chaos: the fault scenarios of tests/postgres/subgraph-faults.test.ts, run on real processes
// (six subgraphs, two gateways, a nats-server of its own, fresh databases on the machine's
// PostgreSQL), printed as one table: what clients saw, how long recovery took, what was lost or
// doubled. OPERATIONS.md quotes it.
//
//   npm run bench:chaos
//   npm run bench:chaos -- --only kill,sigstop      # a subset: kill, sigstop, orders, nats, rolling
//   CHAOS_DB_PREFIX=sc_chaos_ CHAOS_PORT_BASE=22200 npm run bench:chaos
import { ProcessStack } from '../../tests/harness/process-stack.js';
import {
  FAULT_SETTINGS,
  killSubgraphUnderLoad,
  restartNats,
  rollingGatewayRestart,
  type ScenarioReport,
  stopOrdersDuringCheckout,
  stopSubgraphUnderLoad,
} from '../../tests/harness/chaos-scenarios.js';
import { args } from '../lib/stats.js';

const options = args();
const only = new Set((options.get('only') ?? 'kill,sigstop,orders,nats,rolling').split(','));
const settings = FAULT_SETTINGS;

const log = (line: string) => process.stdout.write(`${line}\n`);
log(`bench/chaos: starting six subgraphs and two gateways (${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')})`);
const started = Date.now();
const stack = await ProcessStack.start({
  dbPrefix: process.env.CHAOS_DB_PREFIX ?? 'sc_chaos_',
  portBase: Number(process.env.CHAOS_PORT_BASE ?? 22200),
  gateways: 2,
  env: settings,
});
log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const scenarios: [string, () => Promise<ScenarioReport>][] = [
  ['kill', () => killSubgraphUnderLoad(stack)],
  ['sigstop', () => stopSubgraphUnderLoad(stack, { concurrency: 24 })],
  ['orders', () => stopOrdersDuringCheckout(stack)],
  ['nats', () => restartNats(stack)],
  ['rolling', () => rollingGatewayRestart(stack)],
];
const reports: ScenarioReport[] = [];
try {
  for (const [key, run] of scenarios) {
    if (!only.has(key)) continue;
    log(`running: ${key}`);
    const report = await run();
    reports.push(report);
    log(`  ${JSON.stringify(report.details)}`);
  }
} finally {
  await stack.stop();
}

const rows = [
  ['scenario', 'requests', 'client-visible errors', 'degraded as designed', 'recovery', 'lost', 'doubled'],
  ...reports.map((r) => [
    r.scenario,
    String(r.requests),
    String(r.clientErrors),
    String(r.degraded),
    r.recoveryMs === undefined ? 'never' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
    String(r.lost),
    String(r.doubled),
  ]),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
log('');
for (const [i, row] of rows.entries()) {
  log(`| ${row.map((cell, j) => cell.padEnd(widths[j]!)).join(' | ')} |`);
  if (i === 0) log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
}
process.exit(0);
