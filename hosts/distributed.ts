// `npm run start:distributed`: the six subgraphs and the gateway as seven processes on PostgreSQL
// (a database per subgraph), NATS JetStream and Redis. Ctrl-C stops them all, gateway first.
//   --seed      seed the demo data even when the databases already existed
//   --no-seed   never seed (by default the demo data is seeded into databases this run created,
//               unless SEED_DEMO_DATA is off: it is off in production unless set to on)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as connectNats } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '#platform/config';
import type { DatabaseTarget } from '#platform/db';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { createMissingDatabases, migrateSubgraphs, seedAll, seedTargetsOn } from './databases.js';
import { loadDistributedConfig, type DistributedConfig } from './distributed/config.js';
import { assertPortsFree } from './distributed/ports.js';
import { ServiceProcess } from './distributed/service-process.js';
import { loadDemoDataPolicy } from './demo-data-policy.js';

const STOP_GRACE_MS = 20_000;
const args = new Set(process.argv.slice(2));
const config = loadDistributedConfig(process.env);
const log = (line: string) => process.stdout.write(`start:distributed | ${line}\n`);
const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
/** Host and port of a server URL, for the state file (no user, password or token); undefined if it cannot be read. */
const endpointOf = (url: string, defaultPort: number): { host: string; port: number } | undefined => {
  try {
    const parsed = new URL(url.includes('://') ? url : `nats://${url}`);
    return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
  } catch {
    return undefined;
  }
};
/** A database URL's host, port and database name; undefined if it cannot be read. */
const databaseOf = (url: string) => {
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: Number(parsed.port || 5432), database: decodeURIComponent(parsed.pathname.slice(1)) };
  } catch {
    return undefined;
  }
};

async function checkInfrastructure(config: DistributedConfig): Promise<void> {
  const nats = await connectNats({ servers: config.natsUrl.split(','), timeout: 5_000, maxReconnectAttempts: 0 }).catch((error: Error) => {
    throw new Error(`NATS is not reachable at ${config.natsUrl} (${error.message}); start nats-server -js or set NATS_URL`);
  });
  await nats.close();
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${redact(config.redisUrl)} (${(error as Error).message}); start redis-server or set REDIS_URL`);
  } finally {
    redis.disconnect();
  }
}

async function prepareDatabases(config: DistributedConfig): Promise<void> {
  const created = await createMissingDatabases(config.env).catch((error: Error) => {
    throw new Error(`PostgreSQL is not reachable (${error.message}); start it or set DATABASE_URL_<NAME>`);
  });
  if (created.length) log(`created databases ${created.join(', ')}`);
  const targets = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, { kind: 'postgres', url: config.subgraphs[name].databaseUrl, poolSize: 2 } satisfies DatabaseTarget]),
  ) as Record<SubgraphName, DatabaseTarget>;
  await migrateSubgraphs(targets, SUBGRAPH_NAMES, (name, applied) => {
    if (applied.length) log(`${name}: applied ${applied.join(', ')}`);
  });
  const demo = loadDemoDataPolicy(config.env);
  if (args.has('--seed') && demo.production && !demo.explicit) throw new Error('--seed in production: set SEED_DEMO_DATA=on as well (the demo logins are published)');
  if (args.has('--no-seed') || (!args.has('--seed') && (created.length === 0 || !demo.seed))) return;
  const clients = seedTargetsOn(targets);
  try {
    await seedAll(clients);
    log('demo data seeded (tenants acme and globex, password "demo-password")');
  } finally {
    await clients.disconnect();
  }
}

const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
const subgraphs = SUBGRAPH_NAMES.map(
  (name) =>
    new ServiceProcess({
      name,
      // compiled like the gateway (npm run build, below): no TypeScript loader in the process
      entry: 'dist/subgraph.js',
      args: [name],
      env: { ...config.processEnv[name], PORT: String(config.subgraphs[name].port), OTEL_SERVICE_NAME: config.env.OTEL_SERVICE_NAME ?? name },
      baseUrl: `http://${host}:${config.subgraphs[name].port}`,
    }),
);
const gateway = new ServiceProcess({
  name: 'gateway',
  // compiled, as production runs it (rebuilt below, so it is never older than the sources)
  entry: 'dist/gateway.js',
  args: [],
  env: {
    ...config.processEnv.gateway,
    PORT: String(config.gateway.port),
    OTEL_SERVICE_NAME: config.env.OTEL_SERVICE_NAME ?? 'gateway',
    JWKS_URL: config.env.JWKS_URL ?? `http://${host}:${config.subgraphs.accounts.port}/.well-known/jwks.json`,
    ...Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_URL_${name.toUpperCase()}`, config.env[`SUBGRAPH_URL_${name.toUpperCase()}`] ?? `http://${host}:${config.subgraphs[name].port}/graphql`]),
    ),
  },
  baseUrl: `http://${host}:${config.gateway.port}`,
});
const all = [...subgraphs, gateway];
const stateFile = join(config.dataDir, 'distributed.json');

let stopping: Promise<void> | undefined;
function stopAll(code: number): Promise<void> {
  stopping ??= (async () => {
    log('stopping: gateway first, then the subgraphs');
    await gateway.stop(STOP_GRACE_MS);
    await Promise.all(subgraphs.map((s) => s.stop(STOP_GRACE_MS)));
    rmSync(stateFile, { force: true });
    log('stopped');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  await assertPortsFree(config.host, [
    ...SUBGRAPH_NAMES.map((name) => ({ service: name, port: config.subgraphs[name].port, variable: `${name.toUpperCase()}_PORT` })),
    { service: 'gateway', port: config.gateway.port, variable: 'PORT' },
  ]);
  log(`PostgreSQL ${SUBGRAPH_NAMES.map((n) => redact(config.subgraphs[n].databaseUrl)).join(', ')}`);
  log(`NATS ${config.natsUrl}${config.env.NATS_NAMESPACE ? ` (namespace ${config.env.NATS_NAMESPACE})` : ''}, Redis ${redact(config.redisUrl)}`);
  await checkInfrastructure(config);
  await prepareDatabases(config);
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });

  const width = Math.max(...all.map((s) => s.spec.name.length));
  let ready = false;
  for (const service of all) {
    service.onUnexpectedExit = (code, signal) => {
      log(`${service.spec.name} exited (${signal ?? `code ${code}`})${ready ? '; the others keep running, the gateway reports it on /readyz' : ''}`);
    };
  }
  // subgraphs start together (each owns its database), the gateway once they all answer /readyz
  for (const subgraph of subgraphs) subgraph.start(process.stdout, width);
  await Promise.all(subgraphs.map((s) => s.waitUntilReady(config.readyTimeoutMs)));
  gateway.start(process.stdout, width);
  await gateway.waitUntilReady(config.readyTimeoutMs);
  ready = true;

  mkdirSync(config.dataDir, { recursive: true });
  const state = {
    startedAt: new Date().toISOString(),
    launcherPid: process.pid,
    services: all.map((s) => ({ name: s.spec.name, pid: s.pid, url: `${s.spec.baseUrl}/graphql`, metrics: `${s.spec.baseUrl}/metrics`, readyz: `${s.spec.baseUrl}/readyz` })),
    // where the stack's data and events are, without credentials (bench:checkout --gateway measures the backends and NATS with them)
    postgres: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, databaseOf(config.subgraphs[n].databaseUrl)])),
    nats: config.natsUrl.split(',').flatMap((server) => endpointOf(server.trim(), 4222) ?? []),
    redis: endpointOf(config.redisUrl, 6379),
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const rows = state.services.map((s) => `    ${s.name.padEnd(10)} pid ${String(s.pid).padEnd(8)} ${s.url}   (metrics ${s.metrics})`).join('\n');
  process.stdout.write(`
  Supergraph Commerce is running as ${all.length} processes:
${rows}

  PostgreSQL: ${SUBGRAPH_NAMES.map((n) => redact(config.subgraphs[n].databaseUrl)).join('\n              ')}
  NATS:       ${config.natsUrl}
  Redis:      ${redact(config.redisUrl)}
  Traces:     ${config.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? config.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? 'off (set OTEL_EXPORTER_OTLP_ENDPOINT)'}
  State:      ${stateFile}

  GraphQL at ${gateway.spec.baseUrl}/graphql. Ctrl-C stops everything.
`);
  log('ready');
} catch (error) {
  log(`failed: ${(error as Error).message}`);
  await stopAll(1);
}
