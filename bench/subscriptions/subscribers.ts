// The subscribers of bench/subscriptions, in a process of their own so that the gateway's process
// only serves: one graphql-ws client per socket over a real WebSocket, one subscription each, and
// for every result the time from its event committing (extensions.event.committedAt, else occurredAt)
// to its arrival here, and from it occurring.
// Driven by run.ts over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { summarize } from '../lib/stats.js';

export interface SubscriberSpec {
  token: string;
  query: string;
  operationName: string;
  variables: Record<string, unknown>;
}

export type Command = { type: 'start'; url: string; subscribers: SubscriberSpec[]; connectConcurrency: number } | { type: 'reset' } | { type: 'report' } | { type: 'stop' };

export type Report =
  | { type: 'connected'; connected: number; failed: number }
  | {
      type: 'report';
      received: number;
      errors: number;
      closed: number;
      /** From the event committing (its occurrence where the commit time is not known). */
      latency: ReturnType<typeof summarize>;
      /** From the event occurring in its subgraph's transaction (before it committed). */
      fromOccurred: ReturnType<typeof summarize>;
      /** Results whose event carried no commit time. */
      withoutCommitTime: number;
      /** This process's event loop delay since the reset (ms): a client that cannot keep up measures itself. */
      loopDelay: { p50: number; p99: number; max: number };
      /** Per second since the reset: the results that arrived and the slowest of them (ms from commit). */
      timeline: { received: number; max: number }[];
    };

const clients: Client[] = [];
let latencies: number[] = [];
let resetAt = Date.now();
let timeline: { received: number; max: number }[] = [];
let fromOccurred: number[] = [];
let withoutCommitTime = 0;
let received = 0;
let withErrors = 0;
let connected = 0;
let closed = 0;
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

function send(report: Report): void {
  process.send!(report);
}

function onResult(result: { errors?: readonly unknown[]; extensions?: { event?: { occurredAt?: string; committedAt?: string } } }): void {
  const arrived = Date.now();
  received += 1;
  if (result.errors?.length) withErrors += 1;
  const event = result.extensions?.event;
  if (!event) return;
  const occurredAt = Date.parse(event.occurredAt ?? '');
  if (!Number.isFinite(occurredAt)) return;
  fromOccurred.push(arrived - occurredAt);
  const committedAt = Date.parse(event.committedAt ?? '');
  if (!Number.isFinite(committedAt)) withoutCommitTime += 1;
  const latency = arrived - (Number.isFinite(committedAt) ? committedAt : occurredAt);
  latencies.push(latency);
  const second = Math.floor((arrived - resetAt) / 1_000);
  while (timeline.length <= second) timeline.push({ received: 0, max: 0 });
  timeline[second]!.received += 1;
  timeline[second]!.max = Math.max(timeline[second]!.max, latency);
}

/** Opens one socket, subscribes, and resolves once the gateway acknowledged the connection. */
function open(url: string, spec: SubscriberSpec): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${spec.token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          if (!settled) {
            settled = true;
            connected += 1;
            resolve(true);
          }
        },
        closed: () => {
          if (settled) closed += 1;
          else {
            settled = true;
            resolve(false);
          }
        },
      },
    });
    clients.push(client);
    client.subscribe({ query: spec.query, operationName: spec.operationName, variables: spec.variables }, { next: onResult, error: () => undefined, complete: () => undefined });
  });
}

process.on('message', async (command: Command) => {
  switch (command.type) {
    case 'start': {
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < command.subscribers.length) {
          const spec = command.subscribers[next++]!;
          if (!(await open(command.url, spec))) failed += 1;
        }
      };
      await Promise.all(Array.from({ length: command.connectConcurrency }, worker));
      send({ type: 'connected', connected, failed });
      break;
    }
    case 'reset':
      latencies = [];
      fromOccurred = [];
      withoutCommitTime = 0;
      received = 0;
      withErrors = 0;
      loop.reset();
      resetAt = Date.now();
      timeline = [];
      break;
    case 'report':
      send({ type: 'report', received, errors: withErrors, closed, latency: summarize(latencies), fromOccurred: summarize(fromOccurred), withoutCommitTime, loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }, timeline });
      break;
    case 'stop':
      await Promise.all(clients.map((c) => c.dispose()));
      process.exit(0);
  }
});
