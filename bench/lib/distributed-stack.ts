// The distributed stack for one benchmark run: a nats-server of its own (so its CPU is the run's),
// fresh PostgreSQL databases, and `npm run start:distributed`'s launcher with its seven processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SUBGRAPH_NAMES } from '#contracts';
import { localRedis } from './running-stack.js';

export interface DistributedStack {
  gatewayUrl: string;
  natsUrl: string;
  namespace: string;
  postgresUrl: string;
  /** Subgraph name → its database. */
  databases: Record<string, string>;
  /** The seven services, NATS, the launcher and the machine's Redis (when local), with their pids and /metrics. */
  processes: { name: string; pid: number; metrics?: string }[];
  /** What is shared or left out of the measurement, said in the output. */
  notes: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Gateway on base, subgraphs on base+1…, NATS on base+22. */
  portBase: number;
  postgresUrl: string;
  databasePrefix: string;
  namespace: string;
  env: Record<string, string>;
  log: (line: string) => void;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startDistributedStack(options: StackOptions): Promise<DistributedStack> {
  const { portBase, postgresUrl, databasePrefix, namespace, log } = options;
  const work = mkdtempSync(join(tmpdir(), 'sc-bench-distributed-'));
  const natsPort = portBase + 22;
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const nats = spawn('/usr/sbin/nats-server', ['-js', '-a', '127.0.0.1', '-p', String(natsPort), '-sd', join(work, 'nats')], { stdio: 'ignore' });
  await waitForPort(natsPort, 10_000);

  const databases = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `${databasePrefix}${name}`]));
  const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  for (const database of Object.values(databases)) {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}"`);
  }
  await admin.end();

  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    LOG_LEVEL: 'warn',
    DATA_DIR: join(work, 'data'),
    NATS_URL: natsUrl,
    NATS_NAMESPACE: namespace,
    REDIS_KEY_PREFIX: `sc:${namespace}:bench:`,
    RATE_LIMIT_USER: 'off',
    RATE_LIMIT_TENANT: 'off',
    PORT: String(portBase),
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_PORT`, String(portBase + 1 + i)])),
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`DATABASE_URL_${name.toUpperCase()}`, `${postgresUrl}/${databases[name]}`])),
    ...options.env,
  };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'hosts/distributed.ts', '--seed'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const onLine = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      if (text.includes('start:distributed | ready')) resolve();
      if (text.includes('start:distributed | failed')) reject(new Error(output.join('')));
    };
    launcher.stdout!.on('data', onLine);
    launcher.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    launcher.once('exit', () => reject(new Error(`the launcher exited before it was ready:\n${output.join('').slice(-4000)}`)));
  });
  // from here on, the services' warnings still show
  launcher.stdout!.removeAllListeners('data');
  launcher.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() && !line.includes('start:distributed |')) log(line);
  });
  const state = JSON.parse(readFileSync(join(work, 'data', 'distributed.json'), 'utf8')) as {
    services: { name: string; pid: number; metrics: string }[];
    redis?: { host: string; port: number };
  };
  const redis = localRedis(state.redis);

  return {
    gatewayUrl: `http://127.0.0.1:${portBase}/graphql`,
    natsUrl,
    namespace,
    postgresUrl,
    databases,
    processes: [
      ...state.services.map((s) => ({ name: s.name, pid: s.pid, metrics: s.metrics })),
      { name: 'nats', pid: nats.pid! },
      { name: 'launcher', pid: launcher.pid! },
      ...(redis ? [redis.process] : []),
    ],
    notes: [redis?.note ?? 'Redis: not on this machine or not visible, left out'],
    async stop() {
      launcher.kill('SIGTERM');
      await exited(launcher);
      nats.kill('SIGTERM');
      await exited(nats);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
