import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPort, SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { isRegistered, metricsInPromql, readRepoFile, registeredMetrics, repoPath, variablesOf, yamlDocuments } from '../harness/deployment-files.js';

// Docker is not available where the tests run: these read docker-compose.yml, the Dockerfile and the
// observability files they mount, and hold them against the code (its config, ports and metrics).

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  profiles?: string[];
  env_file?: { path: string; required: boolean }[];
}

const compose = yamlDocuments<{ services: Record<string, ComposeService>; volumes: Record<string, unknown> }>('docker-compose.yml')[0]!;
const services = compose.services;
const APP = [...SUBGRAPH_NAMES, 'gateway'] as const;
const portOf = (name: string) => Number(services[name]!.environment!.PORT);

/** host and port of a URL whose host must be a compose service. */
function target(url: string): { service: string; port: number; path: string; database: string } {
  const parsed = new URL(url);
  return { service: parsed.hostname, port: Number(parsed.port), path: parsed.pathname, database: parsed.pathname.slice(1) };
}

/** The script a `node [--import tsx] <script> [args]` command runs. */
function scriptOf(command: string[]): string {
  return command[0] === '--import' ? command[2]! : command[0]!;
}

describe('docker-compose.yml', () => {
  it('has the databases, the bus, Redis, the six subgraphs, the gateway and the observability stack', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'nats', 'redis', 'migrate', ...APP, 'otel-collector', 'jaeger', 'prometheus', 'grafana']),
    );
  });

  it('builds every application service from the one Dockerfile and runs an entry point that exists', () => {
    for (const name of [...APP, 'migrate', 'seed']) {
      const service = services[name]!;
      expect(service.build, name).toEqual({ context: '.', target: 'runtime' });
      expect(service.image, name).toBe('supergraph-commerce:local');
      const script = scriptOf(service.command!);
      expect(existsSync(repoPath(script)), `${name}: ${script}`).toBe(true);
    }
    for (const name of SUBGRAPH_NAMES) expect(services[name]!.command).toEqual(['dist/subgraph.js', name]);
    // the gateway runs compiled JavaScript (npm run build), without tsx
    expect(services.gateway!.command).toEqual(['dist/gateway.js']);
  });

  it('passes each process only variables its config reads', () => {
    for (const name of APP) {
      const known = variablesOf(name);
      for (const variable of Object.keys(services[name]!.environment!)) expect(known.has(variable), `${name}: ${variable}`).toBe(true);
    }
    for (const name of ['migrate', 'seed']) {
      const known = variablesOf('migrate');
      for (const variable of Object.keys(services[name]!.environment!)) expect(known.has(variable), `${name}: ${variable}`).toBe(true);
    }
  });

  it("runs each subgraph on the code's default port, on its own database created at init, and checks /readyz there", () => {
    const init = readRepoFile('deploy/compose/postgres/create-databases.sh');
    const created = /for name in ([a-z ]+); do/.exec(init)![1]!.split(' ');
    expect(init).toContain('CREATE DATABASE sc_${name}');
    const databases = new Set<string>();
    for (const name of SUBGRAPH_NAMES) {
      const env = services[name]!.environment!;
      expect(portOf(name), name).toBe(defaultPort(name));
      const db = target(env[`DATABASE_URL_${name.toUpperCase()}`]!);
      expect(db, name).toMatchObject({ service: 'postgres', port: 5432, database: `sc_${name}` });
      expect(created).toContain(name);
      databases.add(db.database);
      expect(Object.keys(env).filter((v) => v.startsWith('DATABASE_URL_')), `${name} sees only its own database`).toEqual([`DATABASE_URL_${name.toUpperCase()}`]);
      expect(services[name]!.healthcheck!.test.join(' '), name).toContain(`http://127.0.0.1:${portOf(name)}/readyz`);
      expect(env.OTEL_SERVICE_NAME).toBe(name);
    }
    expect(databases.size).toBe(6);
    for (const name of SUBGRAPH_NAMES) expect(services.migrate!.environment![`DATABASE_URL_${name.toUpperCase()}`]).toBe(services[name]!.environment![`DATABASE_URL_${name.toUpperCase()}`]);
  });

  it("points the gateway at every subgraph's service and port, the accounts JWKS, Redis and NATS", () => {
    const env = services.gateway!.environment!;
    expect(portOf('gateway')).toBe(4000);
    expect(services.gateway!.ports).toContain('4000:4000');
    for (const name of SUBGRAPH_NAMES) {
      expect(target(env[`SUBGRAPH_URL_${name.toUpperCase()}`]!), name).toEqual({ service: name, port: portOf(name), path: '/graphql', database: 'graphql' });
    }
    expect(target(env.JWKS_URL!)).toMatchObject({ service: 'accounts', port: portOf('accounts'), path: '/.well-known/jwks.json' });
    expect(readRepoFile('subgraphs/accounts/src/server.ts')).toContain("'/.well-known/jwks.json'");
    expect(target(env.REDIS_URL!)).toMatchObject({ service: 'redis', port: 6379 });
    for (const name of APP) expect(target(services[name]!.environment!.NATS_URL!), name).toMatchObject({ service: 'nats', port: 4222 });
    expect(services.nats!.command).toContain('-js');
    expect(services.gateway!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:4000/readyz');
  });

  it('starts the gateway after every subgraph is ready and the subgraphs after the migrations', () => {
    const deps = (name: string) => services[name]!.depends_on as Record<string, { condition: string }>;
    for (const name of SUBGRAPH_NAMES) {
      expect(deps('gateway')[name], name).toEqual({ condition: 'service_healthy' });
      expect(deps(name).migrate, name).toEqual({ condition: 'service_completed_successfully' });
    }
    for (const [name, service] of Object.entries(services)) {
      const on = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dependency of on) expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
    }
  });

  it('mounts only files that exist and declares its named volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('./')) expect(existsSync(repoPath(source!)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty(source!);
      }
    }
  });

  it("gives the gateway the credential secret's file and each subgraph only its own key's file, from KEYS_DIR", () => {
    const files = (name: string) => (services[name]!.env_file ?? []).map((f) => f.path.replace('${KEYS_DIR:-./keys}/', ''));
    expect(files('gateway')).toEqual(['gateway-credential-secret.env']);
    for (const name of SUBGRAPH_NAMES) {
      expect(files(name), name).toEqual([`${name}-gateway-credential.env`, ...(name === 'accounts' ? ['accounts-jwt-key.env'] : [])]);
      expect(Object.keys(services[name]!.environment!).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_')), name).toEqual([]);
    }
    // the files keys:generate writes, optional so that development runs without them
    const written = readRepoFile('tools/keys-generate.ts');
    for (const file of ['gateway-credential-secret.env', '-gateway-credential.env', 'accounts-jwt-key.env']) expect(written).toContain(file);
    for (const name of APP) for (const file of services[name]!.env_file!) expect(file.required, `${name}: ${file.path}`).toBe(false);
    for (const name of ['migrate', 'seed', 'postgres', 'nats', 'redis']) expect(services[name]!.env_file, name).toBeUndefined();
  });

  it('sends traces to the collector, which forwards them to Jaeger', () => {
    const collector = yamlDocuments('deploy/compose/otel-collector.yaml')[0];
    const receiver = target(`http://${collector.receivers.otlp.protocols.http.endpoint}`);
    for (const name of APP) {
      expect(target(services[name]!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT!), name).toMatchObject({ service: 'otel-collector', port: receiver.port });
    }
    expect(services['otel-collector']!.volumes).toContain('./deploy/compose/otel-collector.yaml:/etc/otelcol/config.yaml:ro');
    const exporter = collector.exporters['otlp/jaeger'].endpoint as string;
    expect(services[exporter.split(':')[0]!]).toBeDefined();
    expect(services.jaeger!.environment!.COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/jaeger']);
  });

  it("has Prometheus scrape every service's /metrics on its port", () => {
    const prometheus = yamlDocuments('deploy/compose/prometheus.yml')[0];
    const scraped = new Map<string, string>();
    for (const job of prometheus.scrape_configs) {
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
      for (const t of job.static_configs.flatMap((c: { targets: string[] }) => c.targets)) scraped.set(job.job_name, t);
    }
    for (const name of APP) expect(scraped.get(name), name).toBe(`${name}:${portOf(name)}`);
  });

  it('provisions Grafana with Prometheus, Jaeger and a dashboard that only reads metrics the code exports', async () => {
    const datasources = yamlDocuments('deploy/compose/grafana/provisioning/datasources/datasources.yaml')[0].datasources;
    expect(datasources.map((d: { url: string }) => target(d.url).service).sort()).toEqual(['jaeger', 'prometheus']);
    const provider = yamlDocuments('deploy/compose/grafana/provisioning/dashboards/dashboards.yaml')[0].providers[0];
    const mount = services.grafana!.volumes!.find((v) => v.endsWith(`:${provider.options.path}:ro`))!;
    const dashboards = readdirSync(repoPath(mount.split(':')[0]!)).filter((f) => f.endsWith('.json'));
    expect(dashboards).toContain('supergraph-commerce.json');

    const metrics = await registeredMetrics();
    const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/supergraph-commerce.json')) as { panels: { type: string; title: string; targets?: { expr: string }[] }[] };
    const read = new Set<string>();
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      for (const { expr } of panel.targets!) {
        for (const series of metricsInPromql(expr)) {
          expect(isRegistered(series, metrics), `${panel.title}: ${series}`).toBe(true);
          read.add(series.replace(/_(bucket|sum|count)$/, ''));
        }
      }
    }
    // what the platform team watches: requests, fetches, outbox, consumers, dead letters, subscriptions, runtime, pool
    for (const wanted of [
      'graphql_requests_total', 'graphql_request_duration_seconds', 'gateway_subgraph_fetch_duration_seconds', 'gateway_subgraph_up',
      'outbox_backlog', 'outbox_oldest_event_age_seconds', 'events_consumer_pending', 'events_consumed_total', 'events_dead_lettered_total',
      'gateway_subscriptions', 'gateway_subscription_events_total', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'db_pool_connections',
    ]) {
      expect(read, wanted).toContain(wanted);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM '));
  const runtime = lines.slice(lines.indexOf(stages.at(-1)!));

  it('builds in stages and ships a runtime stage without dev dependencies, as a non-root user', () => {
    expect(stages.map((l) => l.split(' AS ')[1])).toEqual(['build', 'prod-deps', 'runtime']);
    const prodDeps = lines.slice(lines.indexOf(stages[1]!), lines.indexOf(stages[2]!));
    expect(prodDeps.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(runtime).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(runtime.some((l) => l.startsWith('COPY --from=build') && l.includes('node_modules'))).toBe(false);
    expect(runtime.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER node');
    expect(runtime.join('\n')).toMatch(/NODE_ENV=production/);
    expect(runtime.join('\n')).toMatch(/HOST=0\.0\.0\.0/);
  });

  it('copies only what exists and checks liveness on /healthz', () => {
    for (const line of lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(repoPath(source)), source).toBe(true);
    }
    for (const line of runtime.filter((l) => l.startsWith('COPY --from=build'))) {
      for (const source of line.split(/\s+/).slice(2, -1)) expect(existsSync(repoPath(source.replace(/^\/app\//, ''))), source).toBe(true);
    }
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toContain("/healthz'");
    expect(runtime).toContain('ENTRYPOINT ["node"]');
    const cmd = JSON.parse(runtime.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    expect(cmd).toEqual(['dist/gateway.js']);
    expect(existsSync(repoPath(cmd[0]!))).toBe(true);
  });

  it('leaves dependencies and local data out of the build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.data', '.git', 'tests', 'keys/']) expect(ignored).toContain(entry);
  });
});

// the migration entry point takes subgraph names, so one job can migrate one subgraph
it('lets the migration tool migrate only the subgraphs it is given', () => {
  const source = readRepoFile('hosts/migrate.ts');
  expect(source).toContain('databaseTargets(process.env, names)');
  expect(SUBGRAPH_NAMES.every((n: SubgraphName) => services[n]!.environment![`DATABASE_URL_${n.toUpperCase()}`])).toBe(true);
});
