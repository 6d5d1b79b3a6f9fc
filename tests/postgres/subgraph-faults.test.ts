import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAULT_MAX_CONCURRENCY,
  FAULT_SETTINGS,
  killSubgraphUnderLoad,
  restartNats,
  rollingGatewayRestart,
  type ScenarioReport,
  stopOrdersDuringCheckout,
  stopSubgraphUnderLoad,
} from '../harness/chaos-scenarios.js';
import { ProcessStack } from '../harness/process-stack.js';

// Faults as an operator meets them, on real processes: the six subgraphs and two gateways on the
// machine's PostgreSQL (databases of their own) and a nats-server of this file's own, broken with
// kill -9, SIGSTOP and restarts while clients send requests. Timings are bench/chaos's business;
// these tests check what clients see and what the databases hold.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({
    dbPrefix: process.env.FAULT_DB_PREFIX ?? 'sc_fault_',
    portBase: Number(process.env.FAULT_PORT_BASE ?? 22100),
    gateways: 2,
    env: FAULT_SETTINGS,
  });
}, 400_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

// what each scenario saw, on the test's output: the same figures bench/chaos prints
const reported = (report: ScenarioReport) => {
  console.log(`${report.scenario}: ${JSON.stringify(report)}`);
  return report;
};

const failureOutput = () => `\n--- last process output ---\n${stack.log.slice(-40).join('\n')}`;

describe('when a subgraph is killed (kill -9) under load', () => {
  it('answers every query that does not need it, gives partial data with SUBGRAPH_* codes for those that do, and resumes once it is back', async () => {
    const report = reported(await killSubgraphUnderLoad(stack));
    expect(report.details.untouchedFailed, failureOutput()).toBe(0);
    expect(report.clientErrors, JSON.stringify(report)).toBe(0);
    expect(report.degraded).toBeGreaterThan(0);
    expect(report.details.codes).toContain('SUBGRAPH_UNAVAILABLE');
    expect(report.recoveryMs).toEqual(expect.any(Number));
  }, 180_000);
});

describe('when a subgraph hangs (SIGSTOP) under load', () => {
  it('times out the first fetches, then fails fast with its circuit open, never holding more connections than its cap, and resumes after SIGCONT', async () => {
    const report = reported(await stopSubgraphUnderLoad(stack, { concurrency: 24 }));
    expect(report.clientErrors, JSON.stringify(report)).toBe(0);
    expect(report.details.timedOut).toBeGreaterThan(0);
    expect(report.details.failedFast).toBeGreaterThan(0);
    // the gateway's connections to inventory: its fetches (at most the cap), its health probe, and at
    // times a timed-out socket being closed while its slot already went to the next fetch
    expect(report.details.maxConnectionsToInventory).toBeLessThanOrEqual(FAULT_MAX_CONCURRENCY + 2);
    expect(report.recoveryMs).toEqual(expect.any(Number));
  }, 180_000);
});

describe('when orders is stopped (SIGSTOP) during checkouts', () => {
  it('answers OUTCOME_UNKNOWN for checkouts in flight; retrying each with its key finds its one order; nothing lost, nothing charged twice', async () => {
    const report = reported(await stopOrdersDuringCheckout(stack));
    const outcomes = report.details.outcomes as Record<string, number>;
    expect(outcomes.OUTCOME_UNKNOWN, JSON.stringify(report)).toBeGreaterThan(0);
    expect(report.details.unknownResolvedByRetry).toBe(outcomes.OUTCOME_UNKNOWN);
    expect(report.details.refusedButPlaced).toBe(0);
    expect(report.clientErrors, JSON.stringify(report)).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.doubled).toBe(0);
  }, 300_000);
});

describe('when NATS restarts during checkouts', () => {
  it('keeps taking orders, then drains every outbox and settles every order once NATS is back', async () => {
    const report = reported(await restartNats(stack));
    expect(report.clientErrors, JSON.stringify(report)).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.details.outboxBacklogAfter).toBe(0);
  }, 240_000);
});

describe('when the gateways are restarted one after the other', () => {
  it('fails no request of a round-robin client that follows /readyz, as a load balancer does', async () => {
    const report = reported(await rollingGatewayRestart(stack));
    expect(report.requests).toBeGreaterThan(0);
    expect(report.clientErrors, JSON.stringify(report.details)).toBe(0);
  }, 300_000);
});
