import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { loadAccountsConfig } from '../../subgraphs/accounts/src/config.js';
import { loadCatalogConfig } from '../../subgraphs/catalog/src/config.js';
import { loadInventoryConfig } from '../../subgraphs/inventory/src/config.js';
import { loadOrdersConfig } from '../../subgraphs/orders/src/config.js';
import { loadPaymentsConfig } from '../../subgraphs/payments/src/config.js';
import { loadShippingConfig } from '../../subgraphs/shipping/src/config.js';
import { loadCommonConfig, type Env, REPO_ROOT } from '#platform/config';
import { collectDefaultMetrics, registry } from '#platform/observability';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';

export const repoPath = (...parts: string[]) => resolve(REPO_ROOT, ...parts);
export const readRepoFile = (...parts: string[]) => readFileSync(repoPath(...parts), 'utf8');

/** Every document of a YAML file (with `<<` merge keys resolved, as Compose does). */
export function yamlDocuments<T = any>(...parts: string[]): T[] {
  return parseAllDocuments(readRepoFile(...parts), { merge: true }).map((doc) => {
    if (doc.errors.length) throw new Error(`${parts.join('/')}: ${doc.errors[0]!.message}`);
    return doc.toJS() as T;
  }).filter((doc) => doc !== null);
}

/** The variables a config loader reads: it runs against an environment that records every lookup. */
function variablesRead(load: (env: Env) => unknown): Set<string> {
  const seen = new Set<string>();
  const env = new Proxy({} as Env, {
    get(_target, key) {
      if (typeof key === 'string') seen.add(key);
      return undefined;
    },
  });
  load(env);
  return seen;
}

const SUBGRAPH_LOADERS: Record<SubgraphName, (env: Env) => unknown> = {
  accounts: (env) => loadAccountsConfig(env, { standalone: true }),
  catalog: (env) => loadCatalogConfig(env, { standalone: true }),
  inventory: (env) => loadInventoryConfig(env, { standalone: true }),
  orders: (env) => loadOrdersConfig(env, { standalone: true }),
  payments: (env) => loadPaymentsConfig(env, { standalone: true }),
  shipping: (env) => loadShippingConfig(env, { standalone: true }),
};

/** Read by Node itself rather than by our config. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS'];

/** The variables each kind of process understands, straight from the code's config loaders. */
export function variablesOf(process: 'gateway' | 'migrate' | SubgraphName): Set<string> {
  let read: Set<string>;
  if (process === 'gateway') read = variablesRead(loadGatewayConfig);
  else if (process === 'migrate') read = new Set([...variablesRead(loadCommonConfig), ...SUBGRAPH_NAMES.map((n) => `DATABASE_URL_${n.toUpperCase()}`)]);
  else read = variablesRead(SUBGRAPH_LOADERS[process]);
  return new Set([...read, ...RUNTIME_VARIABLES]);
}

/** Every metric the services register (the gateway's, the kernel's, Node's defaults), by name. */
export async function registeredMetrics(): Promise<Map<string, string>> {
  collectDefaultMetrics();
  await import('../../gateway/src/subgraph-fetch/subgraph-data-source.js');
  await import('../../gateway/src/subgraph-fetch/subgraph-health.js');
  await import('../../gateway/src/subscriptions/metrics.js');
  return new Map(registry.getMetricsAsArray().map((m) => [m.name, (m as unknown as { type: string }).type]));
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names a PromQL expression reads (series selectors, not functions, labels or keywords). */
export function metricsInPromql(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names: string[] = [];
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = bare.slice(match.index! + word.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(word) || /^\d/.test(word)) continue;
    names.push(word);
  }
  return names;
}

/** Whether a series name exists: a metric, or a histogram's _bucket/_sum/_count. */
export function isRegistered(series: string, metrics: Map<string, string>): boolean {
  if (metrics.has(series)) return true;
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(series);
  return histogram !== null && ['histogram', 'summary'].includes(metrics.get(histogram[1]!) ?? '');
}
