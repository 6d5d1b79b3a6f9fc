import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { REPO_ROOT } from '#platform/config';
import type { DatabaseTarget } from '#platform/db';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { migrateSubgraphs, seedAll, seedTargetsOn } from '../../hosts/databases.js';
import { ServiceProcess } from '../../hosts/distributed/service-process.js';

// The distributed topology as real processes, for fault tests and bench/chaos: a NATS server of
// its own (so it can be stopped), one fresh PostgreSQL database per subgraph on the machine's
// server, the six subgraphs and one or more gateways, each a Node process that can be killed,
// stopped (SIGSTOP) and started again on its port.

const PG_ADMIN = `postgresql://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432`;
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface ProcessStackOptions {
  /** Databases are `<dbPrefix><subgraph>`, dropped and created afresh. */
  dbPrefix: string;
  /** Gateways on portBase, portBase+1…; subgraphs on portBase+10…+15; NATS on portBase+20. */
  portBase: number;
  gateways?: number;
  /** Added to every process's environment (e.g. SUBGRAPH_TIMEOUT_MS, SHUTDOWN_DRAIN_DELAY_MS). */
  env?: Record<string, string>;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, deadlineMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A port nothing listens on, between 26000 and 32000, above the fixed port bases of the suites and
 * benches (below 26000) and below Linux's ephemeral range (32768 and up), where a port the kernel
 * hands out for listen(0) may go to the next outgoing connection of a parallel test before the
 * child process binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const port = 26_000 + Math.floor(Math.random() * 6_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt > 100) throw new Error('no free port between 26000 and 32000');
  }
}

/** A nats-server with JetStream on a port and store of its own. */
export class NatsProcess {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    await waitFor(`nats-server on ${this.port}`, () => portOpen(this.port), 30_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export class ProcessStack {
  readonly subgraphs = {} as Record<SubgraphName, ServiceProcess>;
  readonly gateways: ServiceProcess[] = [];
  /** The last lines every process wrote, for failure messages. */
  log: string[] = [];
  private readonly sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.log.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.log.length > 400) this.log = this.log.slice(-300);
      done();
    },
  });

  private constructor(
    readonly options: Required<ProcessStackOptions>,
    readonly nats: NatsProcess,
    readonly env: Record<string, string>,
    private readonly dataDir: string,
  ) {}

  static async start(input: ProcessStackOptions): Promise<ProcessStack> {
    const options = { gateways: 1, env: {}, ...input };
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-process-stack-'));
    const nats = new NatsProcess(options.portBase + 20, join(dataDir, 'jetstream'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      NATS_URL: nats.url,
      OUTBOX_POLL_MS: '100',
      PAYMENT_LATENCY_MS: '0',
      // load, not abuse: the fault tests send more than a shopper would
      RATE_LIMIT_USER: 'off',
      RATE_LIMIT_TENANT: 'off',
      RATE_LIMIT_LOGIN_ADDRESS: 'off',
      RATE_LIMIT_LOGIN_ACCOUNT: 'off',
      SUBGRAPH_HEALTH_INTERVAL_MS: '500',
      JWKS_URL: `http://127.0.0.1:${options.portBase + 10}/.well-known/jwks.json`,
      ...options.env,
    };
    SUBGRAPH_NAMES.forEach((name, i) => {
      env[`DATABASE_URL_${name.toUpperCase()}`] = `${PG_ADMIN}/${options.dbPrefix}${name}`;
      env[`SUBGRAPH_URL_${name.toUpperCase()}`] = `http://127.0.0.1:${options.portBase + 10 + i}/graphql`;
    });
    const stack = new ProcessStack(options, nats, env, dataDir);
    try {
      await stack.startAll();
    } catch (error) {
      const output = stack.log.slice(-30).join('\n');
      await stack.stop().catch(() => undefined);
      throw new Error(`${(error as Error).message}\n--- last process output ---\n${output}`);
    }
    return stack;
  }

  private async startAll(): Promise<void> {
    const { options, nats } = this;
    const stack = this;
    // the gateway runs compiled, as in production (and as npm run start:distributed runs it)
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
    await nats.start();
    await stack.prepareDatabases();
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name, i) => {
        stack.subgraphs[name] = await stack.launch(name, options.portBase + 10 + i);
      }),
    );
    stack.gateways.push(...(await Promise.all(Array.from({ length: options.gateways }, (_, i) => stack.launch('gateway', options.portBase + i)))));
  }

  /**
   * Starts a service on its port and waits until it is ready. The ports lie in the kernel's
   * ephemeral range, so an outgoing connection of any process may hold one for a moment: a start
   * that fails with EADDRINUSE is tried again.
   */
  private async launch(name: SubgraphName | 'gateway', port: number): Promise<ServiceProcess> {
    for (let attempt = 1; ; attempt += 1) {
      const service = this.serviceFor(name, port);
      service.start(this.sink, 10);
      try {
        await service.waitUntilReady(180_000);
        return service;
      } catch (error) {
        const inUse = this.log.slice(-60).some((line) => line.startsWith(`${name.padEnd(10)} |`) && line.includes('EADDRINUSE'));
        if (!inUse || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  gatewayUrl(i = 0): string {
    return `${this.gateways[i]!.spec.baseUrl}/graphql`;
  }

  /** A subgraph (or the i-th gateway) as a fresh process on the same port. */
  private serviceFor(name: SubgraphName | 'gateway', port: number): ServiceProcess {
    const gateway = name === 'gateway';
    return new ServiceProcess({
      name,
      entry: gateway ? 'dist/gateway.js' : 'hosts/subgraph.ts',
      args: gateway ? [] : [name],
      env: { ...this.env, PORT: String(port) },
      baseUrl: `http://127.0.0.1:${port}`,
    });
  }

  pidOf(name: SubgraphName): number {
    return this.subgraphs[name].pid!;
  }

  signal(name: SubgraphName, signal: NodeJS.Signals): void {
    process.kill(this.pidOf(name), signal);
  }

  /** Starts a subgraph again on its port (after it was killed) and waits until it is ready. */
  async restartSubgraph(name: SubgraphName): Promise<void> {
    const index = SUBGRAPH_NAMES.indexOf(name);
    this.subgraphs[name] = await this.launch(name, this.options.portBase + 10 + index);
  }

  /** Replaces gateway i: SIGTERM (it drains) and a new process on its port once the old one exited. */
  async restartGateway(i: number, graceMs = 60_000): Promise<void> {
    await this.gateways[i]!.stop(graceMs);
    this.gateways[i] = await this.launch('gateway', this.options.portBase + i);
  }

  async sql<T = Record<string, unknown>>(subgraph: SubgraphName, query: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.env[`DATABASE_URL_${subgraph.toUpperCase()}`] });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    for (const name of SUBGRAPH_NAMES) {
      const service = this.subgraphs[name];
      // a stopped (SIGSTOP) process would never see SIGTERM
      if (service?.running) process.kill(service.pid!, 'SIGCONT');
    }
    await Promise.all(this.gateways.map((g) => g.stop(10_000)));
    await Promise.all(SUBGRAPH_NAMES.map((name) => this.subgraphs[name]?.stop(10_000)));
    await this.nats.stop();
    await this.dropDatabases();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async adminQuery(statements: string[]): Promise<void> {
    const admin = new pg.Client({ connectionString: `${PG_ADMIN}/postgres` });
    await admin.connect();
    try {
      for (const statement of statements) await admin.query(statement);
    } finally {
      await admin.end();
    }
  }

  private async dropDatabases(): Promise<void> {
    await this.adminQuery(SUBGRAPH_NAMES.map((name) => `DROP DATABASE IF EXISTS ${this.options.dbPrefix}${name} WITH (FORCE)`));
  }

  private async prepareDatabases(): Promise<void> {
    await this.dropDatabases();
    await this.adminQuery(SUBGRAPH_NAMES.map((name) => `CREATE DATABASE ${this.options.dbPrefix}${name}`));
    const targets = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, { kind: 'postgres', url: this.env[`DATABASE_URL_${name.toUpperCase()}`]!, poolSize: 2 } satisfies DatabaseTarget]),
    ) as Record<SubgraphName, DatabaseTarget>;
    await migrateSubgraphs(targets);
    const clients = seedTargetsOn(targets);
    try {
      await seedAll(clients);
    } finally {
      await clients.disconnect();
    }
  }
}
