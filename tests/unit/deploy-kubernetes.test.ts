import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPort, SUBGRAPH_NAMES } from '#contracts';
import { readRepoFile, repoPath, variablesOf, yamlDocuments } from '../harness/deployment-files.js';

// No cluster here: this reads deploy/k8s as kustomize would (resources, images, patches) and checks
// the manifests' structure against the code and against each other, network policies included.

type Labels = Record<string, string>;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

function kustomization(dir: string): any {
  return yamlDocuments(dir, 'kustomization.yaml')[0];
}

/** The manifests a kustomization's resources list names, recursively (no patches applied). */
function resources(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const resource of kustomization(dir).resources as string[]) {
    const path = join(dir, resource);
    expect(existsSync(repoPath(path)), `${dir}: ${resource}`).toBe(true);
    if (existsSync(repoPath(path, 'kustomization.yaml'))) out.push(...resources(path));
    else out.push(...yamlDocuments<Manifest>(path));
  }
  return out;
}

const base = resources('deploy/k8s/base');
const migrations = resources('deploy/k8s/migrations');
const all = [...base, ...migrations];
const find = (kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name);
const workloads = all.filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind));
const containerOf = (m: Manifest) => m.spec.template.spec.containers[0];
const envOf = (m: Manifest) => Object.fromEntries((containerOf(m).env ?? []).map((e: any) => [e.name, e]));
const config = find('ConfigMap', 'supergraph-config')!;
const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const MiB = (quantity: string) => (quantity.endsWith('Gi') ? Number(quantity.slice(0, -2)) * 1024 : Number(quantity.slice(0, -2)));

function serviceOf(name: string): { port: number } {
  const service = find('Service', name)!;
  return { port: service.spec.ports[0].port };
}

describe('the kustomize layout', () => {
  it('has a base, migrations, and an example overlay whose resources, images and patches resolve', () => {
    const overlay = kustomization('deploy/k8s/overlays/example');
    expect(overlay.resources).toContain('../../base');
    expect(existsSync(repoPath('deploy/k8s/overlays/example', overlay.resources.find((r: string) => r.endsWith('.yaml'))))).toBe(true);
    for (const patch of overlay.patches) {
      const target = find(patch.target.kind, patch.target.name);
      expect(target, `${patch.target.kind}/${patch.target.name}`).toBeDefined();
      expect(patch.patch).toMatch(/op: replace/);
      const path = (/path: (\S+)/.exec(patch.patch)![1]!).split('/').slice(1);
      expect(path.reduce((at: any, key) => at?.[key], target), patch.patch).toBeDefined();
    }
    const migrationsOverlay = kustomization('deploy/k8s/overlays/example/migrations');
    expect(migrationsOverlay.resources).toEqual(['../../../migrations']);
    expect(migrationsOverlay.images).toEqual(overlay.images);
    expect(migrationsOverlay.namespace).toBe(overlay.namespace);
    for (const dir of ['deploy/k8s/base', 'deploy/k8s/migrations']) expect(kustomization(dir).images[0].name).toBe('supergraph-commerce');
  });
});

describe('the services', () => {
  const deployments = base.filter((m) => m.kind === 'Deployment' && containerOf(m).image === 'supergraph-commerce');

  it('runs a Deployment and a Service per subgraph and for the gateway, from the one image and an existing entry point', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...SUBGRAPH_NAMES, 'gateway'].sort());
    for (const deployment of deployments) {
      const name = deployment.metadata.name;
      const container = containerOf(deployment);
      expect(container.image, name).toBe('supergraph-commerce');
      const script = container.args[0] === '--import' ? container.args[2]! : container.args[0]!;
      expect(existsSync(repoPath(script)), `${name}: ${script}`).toBe(true);
      expect(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels), name).toBe(true);
      const service = find('Service', name)!;
      expect(matches(service.spec.selector, deployment.spec.template.metadata.labels), `${name} Service selects its pods`).toBe(true);
      expect(service.spec.ports[0].targetPort).toBe('http');
      const port = container.ports.find((p: any) => p.name === 'http').containerPort;
      expect(service.spec.ports[0].port).toBe(port);
      expect(Number(envOf(deployment).PORT.value), name).toBe(port);
      expect(envOf(deployment).OTEL_SERVICE_NAME.value).toBe(name);
    }
    for (const name of SUBGRAPH_NAMES) {
      expect(containerOf(find('Deployment', name)!).args).toEqual(['dist/subgraph.js', name]);
      expect(serviceOf(name).port).toBe(defaultPort(name));
    }
    expect(containerOf(find('Deployment', 'gateway')!).args).toEqual(['dist/gateway.js']);
  });

  it('probes liveness on /healthz and readiness on /readyz', () => {
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      expect(container.livenessProbe.httpGet, deployment.metadata.name).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe.httpGet, deployment.metadata.name).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet, deployment.metadata.name).toEqual({ path: '/readyz', port: 'http' });
    }
  });

  it('drains on termination: a preStop pause, then a grace period covering the drain delay, the in-flight grace and the subscriptions', () => {
    const data = config.data!;
    for (const deployment of deployments.filter((d) => containerOf(d).image === 'supergraph-commerce')) {
      const name = deployment.metadata.name;
      const pause = Number(containerOf(deployment).lifecycle.preStop.exec.command[1]);
      expect(containerOf(deployment).lifecycle.preStop.exec.command[0], name).toBe('sleep');
      const subscriptions = name === 'gateway' ? Number(envOf(deployment).SUBSCRIPTION_SHUTDOWN_GRACE_MS?.value ?? 5_000) : 0;
      const needed = pause + (Number(data.SHUTDOWN_DRAIN_DELAY_MS) + Number(data.SHUTDOWN_GRACE_MS) + subscriptions) / 1000;
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds, name).toBeGreaterThan(needed);
    }
  });

  it("keeps probe timeouts in order: a subgraph's database check, then the gateway's wait for it, then Kubernetes' wait", () => {
    const check = Number(config.data!.READINESS_CHECK_TIMEOUT_MS);
    expect(check).toBeLessThan(3_000); // the gateway's SUBGRAPH_HEALTH_TIMEOUT_MS default
    for (const deployment of deployments.filter((d) => containerOf(d).image === 'supergraph-commerce')) {
      expect(containerOf(deployment).readinessProbe.timeoutSeconds * 1000, deployment.metadata.name).toBeGreaterThan(check);
    }
  });

  it('sets requests and limits, and the Node heap limit to about three quarters of the memory limit', () => {
    for (const workload of workloads.filter((w) => containerOf(w).image === 'supergraph-commerce')) {
      const { requests, limits } = containerOf(workload).resources;
      const name = `${workload.kind}/${workload.metadata.name}`;
      expect(requests.cpu && requests.memory && limits.cpu && limits.memory, name).toBeTruthy();
      const heap = Number(/--max-old-space-size=(\d+)/.exec(envOf(workload).NODE_OPTIONS.value)![1]);
      const limit = MiB(limits.memory);
      expect(heap / limit, name).toBeGreaterThanOrEqual(0.6);
      expect(heap / limit, name).toBeLessThanOrEqual(0.8);
    }
  });

  it('runs as non-root on a read-only root filesystem, with writable data and tmp directories', () => {
    for (const workload of workloads.filter((w) => containerOf(w).image === 'supergraph-commerce')) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(containerOf(workload).securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(containerOf(workload).volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/app/.data', '/tmp']);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
  });

  it("gives each process only variables its config reads, and each subgraph only its own database's URL", () => {
    for (const key of Object.keys(config.data!)) {
      for (const name of [...SUBGRAPH_NAMES, 'gateway'] as const) expect(variablesOf(name).has(key), `supergraph-config ${key} for ${name}`).toBe(true);
    }
    for (const deployment of deployments) {
      const name = deployment.metadata.name as (typeof SUBGRAPH_NAMES)[number] | 'gateway';
      const known = variablesOf(name);
      for (const variable of Object.keys(envOf(deployment))) expect(known.has(variable), `${name}: ${variable}`).toBe(true);
      expect(containerOf(deployment).envFrom).toEqual([{ configMapRef: { name: 'supergraph-config' } }]);
    }
    for (const name of SUBGRAPH_NAMES) {
      const env = envOf(find('Deployment', name)!);
      expect(Object.keys(env).filter((v) => v.startsWith('DATABASE_URL_')), name).toEqual([`DATABASE_URL_${name.toUpperCase()}`]);
      expect(env[`DATABASE_URL_${name.toUpperCase()}`].valueFrom.secretKeyRef).toEqual({ name: `${name}-database`, key: 'url' });
      const database = find('StatefulSet', `${name}-postgres`)!;
      const dbEnv = envOf(database);
      expect(dbEnv.POSTGRES_DB.value).toBe(`sc_${name}`);
      expect(dbEnv.POSTGRES_PASSWORD.valueFrom.secretKeyRef.name).toBe(`${name}-database`);
      expect(serviceOf(`${name}-postgres`).port).toBe(5432);
    }
    expect(Object.keys(envOf(find('Deployment', 'gateway')!)).some((v) => v.startsWith('DATABASE_URL_'))).toBe(false);
  });

  it("points the gateway at every subgraph's Service and port, the accounts JWKS and Redis; everyone at NATS", () => {
    const env = envOf(find('Deployment', 'gateway')!);
    for (const name of SUBGRAPH_NAMES) expect(env[`SUBGRAPH_URL_${name.toUpperCase()}`].value).toBe(`http://${name}:${serviceOf(name).port}/graphql`);
    expect(env.JWKS_URL.value).toBe(`http://accounts:${serviceOf('accounts').port}/.well-known/jwks.json`);
    expect(env.REDIS_URL.value).toBe(`redis://redis:${serviceOf('redis').port}`);
    expect(config.data!.NATS_URL).toBe(`nats://nats:${serviceOf('nats').port}`);
    expect(containerOf(find('StatefulSet', 'nats')!).args).toContain('-js');
    expect(config.data!.NODE_ENV).toBe('production');
  });

  it('names every Secret the operators must create in OPERATIONS.md', () => {
    const operations = readRepoFile('OPERATIONS.md');
    const referenced = new Set<string>();
    for (const workload of workloads) {
      for (const e of containerOf(workload).env ?? []) {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
        if (ref && ref.name !== 'supergraph-config') referenced.add(ref.name);
      }
    }
    expect([...referenced].sort()).toEqual(
      [...SUBGRAPH_NAMES.flatMap((name) => [`${name}-database`, `${name}-gateway-credential`]), 'accounts-jwt-key', 'gateway-credential-secret'].sort(),
    );
    for (const name of ['gateway-credential-secret', '<subgraph>-gateway-credential', 'accounts-jwt-key', '<subgraph>-database']) expect(operations, name).toContain(name);
    // the production keys the config requires come from them
    const gateway = envOf(find('Deployment', 'gateway')!);
    expect(gateway.GATEWAY_CREDENTIAL_SECRET.valueFrom.secretKeyRef.name).toBe('gateway-credential-secret');
    expect(envOf(find('Deployment', 'accounts')!).JWT_PRIVATE_KEY.valueFrom.secretKeyRef.name).toBe('accounts-jwt-key');
  });

  it("gives the gateway the credential secret and each subgraph its own derived key, and no one else's", () => {
    const secretsOf = (workload: Manifest) =>
      (containerOf(workload).env ?? []).map((e: { valueFrom?: { secretKeyRef?: { name: string } } }) => e.valueFrom?.secretKeyRef?.name).filter((n: string | undefined) => n?.includes('gateway-credential'));
    expect(secretsOf(find('Deployment', 'gateway')!)).toEqual(['gateway-credential-secret', 'gateway-credential-secret']);
    expect(Object.keys(envOf(find('Deployment', 'gateway')!)).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_KEYS_'))).toEqual([]);
    for (const name of SUBGRAPH_NAMES) {
      const variable = `GATEWAY_CREDENTIAL_KEYS_${name.toUpperCase()}`;
      const env = envOf(find('Deployment', name)!);
      expect(secretsOf(find('Deployment', name)!), name).toEqual([`${name}-gateway-credential`]);
      expect(env[variable].valueFrom.secretKeyRef, name).toEqual({ name: `${name}-gateway-credential`, key: variable });
      expect(Object.keys(env).filter((v) => v.startsWith('GATEWAY_CREDENTIAL_')), name).toEqual([variable]);
    }
    for (const job of all.filter((m) => m.kind === 'Job')) expect(secretsOf(job), job.metadata.name).toEqual([]);
  });

  it('autoscales the gateway and keeps a replica of every service through voluntary disruptions', () => {
    const hpa = find('HorizontalPodAutoscaler', 'gateway')!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(containerOf(find('Deployment', 'gateway')!).resources.requests.cpu).toBeTruthy();
    for (const deployment of deployments) {
      const pdb = all.find((m) => m.kind === 'PodDisruptionBudget' && matches(m.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
      expect(pdb, deployment.metadata.name).toBeDefined();
      expect(pdb!.spec.minAvailable).toBe(1);
      expect(deployment.spec.replicas, deployment.metadata.name).toBeGreaterThan(pdb!.spec.minAvailable);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    }
  });
});

describe('the migrations', () => {
  it('migrate each subgraph in a Job of its own, with only its database, before the rollout', () => {
    for (const name of SUBGRAPH_NAMES) {
      const job = find('Job', `${name}-migrate`)!;
      expect(job, name).toBeDefined();
      expect(containerOf(job).args).toEqual(['--import', 'tsx', 'hosts/migrate.ts', name]);
      expect(existsSync(repoPath('hosts/migrate.ts'))).toBe(true);
      const env = envOf(job);
      expect(Object.keys(env).filter((v) => v.startsWith('DATABASE_URL_'))).toEqual([`DATABASE_URL_${name.toUpperCase()}`]);
      for (const variable of Object.keys(env)) expect(variablesOf('migrate').has(variable), `${name}: ${variable}`).toBe(true);
      expect(job.metadata.annotations!['argocd.argoproj.io/hook']).toBe('PreSync');
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'migration' });
    }
  });
});

describe('the network policies', () => {
  const policies = all.filter((m) => m.kind === 'NetworkPolicy');
  interface Pod {
    name: string;
    labels: Labels;
    ports: Record<string, number>;
  }
  const pods: Pod[] = workloads.map((w) => ({
    name: `${w.kind}/${w.metadata.name}`,
    labels: w.spec.template.metadata.labels,
    ports: Object.fromEntries((containerOf(w).ports ?? []).map((p: any) => [p.name, p.containerPort])),
  }));
  const pod = (kind: string, name: string) => pods.find((p) => p.name === `${kind}/${name}`)!;

  /** A peer in this namespace (no namespaceSelector) that the pod selector matches. */
  const peerAllows = (peers: any[] | undefined, other: Pod) =>
    peers === undefined || peers.some((peer) => !peer.namespaceSelector && peer.podSelector && matches(peer.podSelector.matchLabels ?? {}, other.labels));
  const portAllows = (ports: any[] | undefined, destination: Pod, port: number) =>
    ports === undefined || ports.some((p) => (typeof p.port === 'number' ? p.port === port : destination.ports[p.port] === port));

  /** Kubernetes semantics: allowed when the source's egress policies and the destination's ingress policies both allow (or none selects it). */
  function allowed(source: Pod, destination: Pod, port: number): boolean {
    const selecting = (p: Pod, type: 'Ingress' | 'Egress') => policies.filter((np) => np.spec.policyTypes.includes(type) && matches(np.spec.podSelector.matchLabels ?? {}, p.labels));
    const egress = selecting(source, 'Egress');
    const ingress = selecting(destination, 'Ingress');
    const out = egress.length === 0 || egress.some((np) => (np.spec.egress ?? []).some((rule: any) => peerAllows(rule.to, destination) && portAllows(rule.ports, destination, port)));
    const into = ingress.length === 0 || ingress.some((np) => (np.spec.ingress ?? []).some((rule: any) => peerAllows(rule.from, source) && portAllows(rule.ports, destination, port)));
    return out && into;
  }

  it('deny by default', () => {
    const deny = policies.find((np) => np.metadata.name === 'default-deny')!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('let each subgraph and its migration job reach their own database and no other', () => {
    for (const name of SUBGRAPH_NAMES) {
      for (const source of [pod('Deployment', name), pod('Job', `${name}-migrate`)]) {
        for (const other of SUBGRAPH_NAMES) {
          expect(allowed(source, pod('StatefulSet', `${other}-postgres`), 5432), `${source.name} → ${other}-postgres`).toBe(other === name);
        }
      }
    }
    for (const other of SUBGRAPH_NAMES) expect(allowed(pod('Deployment', 'gateway'), pod('StatefulSet', `${other}-postgres`), 5432)).toBe(false);
  });

  it('let only the gateway reach the subgraphs', () => {
    for (const name of SUBGRAPH_NAMES) {
      const subgraph = pod('Deployment', name);
      const port = defaultPort(name);
      expect(allowed(pod('Deployment', 'gateway'), subgraph, port), `gateway → ${name}`).toBe(true);
      for (const other of SUBGRAPH_NAMES.filter((o) => o !== name)) expect(allowed(pod('Deployment', other), subgraph, port), `${other} → ${name}`).toBe(false);
      expect(allowed(pod('Deployment', 'redis'), subgraph, port)).toBe(false);
      expect(allowed(pod('StatefulSet', 'nats'), subgraph, port)).toBe(false);
    }
  });

  it('let the services reach NATS, and only the gateway reach Redis', () => {
    for (const name of [...SUBGRAPH_NAMES, 'gateway']) expect(allowed(pod('Deployment', name), pod('StatefulSet', 'nats'), 4222), name).toBe(true);
    expect(allowed(pod('Deployment', 'gateway'), pod('Deployment', 'redis'), 6379)).toBe(true);
    for (const name of SUBGRAPH_NAMES) expect(allowed(pod('Deployment', name), pod('Deployment', 'redis'), 6379), name).toBe(false);
  });
});

it('keeps the kustomize files free of secrets', () => {
  for (const dir of ['deploy/k8s/base', 'deploy/k8s/migrations', 'deploy/k8s/overlays/example']) {
    const text = kustomization(dir);
    expect(text.secretGenerator, dir).toBeUndefined();
  }
  expect(all.some((m) => m.kind === 'Secret')).toBe(false);
  expect(readFileSync(repoPath('deploy/k8s/base/gateway.yaml'), 'utf8')).not.toMatch(/BEGIN PRIVATE KEY/);
});
