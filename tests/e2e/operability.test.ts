import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '#contracts';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

let sg: TestSupergraph;
beforeAll(async () => {
  sg = await startTestSupergraph({ SUBGRAPH_HEALTH_INTERVAL_MS: '500' });
});
afterAll(async () => {
  await sg?.stop();
});

/** The HTTP root of a service from its /graphql URL. */
const rootOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');
const services = () => [
  { name: 'gateway', root: rootOf(sg.gateway.url) },
  ...SUBGRAPH_NAMES.map((name) => ({ name, root: rootOf(sg.subgraphs[name].url) })),
];

async function get(url: string): Promise<{ status: number; text: string; json: any }> {
  const response = await fetch(url);
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** The samples of one metric in Prometheus text format, as label maps with values. */
function samples(text: string, metric: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .map((line) => {
      const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line)!;
      const labels = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { labels, value: Number(match[2]) };
    });
}

describe('health and readiness', () => {
  it('answers /healthz of the gateway and every subgraph with 200 and status ok', async () => {
    for (const { name, root } of services()) {
      const result = await get(`${root}/healthz`);
      expect({ name, status: result.status, body: result.json }).toEqual({ name, status: 200, body: { status: 'ok' } });
    }
  });

  it('answers /readyz of every subgraph with 200 and an ok database check', async () => {
    for (const name of SUBGRAPH_NAMES) {
      const result = await get(`${rootOf(sg.subgraphs[name].url)}/readyz`);
      expect({ name, status: result.status }).toEqual({ name, status: 200 });
      expect(result.json).toEqual({ status: 'ready', checks: { database: 'ok' } });
    }
  });

  it('answers /readyz of the gateway with 200, its supergraph loaded and every subgraph ready with its circuit closed', async () => {
    const result = await get(`${rootOf(sg.gateway.url)}/readyz`);
    expect(result.status).toBe(200);
    expect(result.json).toEqual({
      status: 'ready',
      checks: { supergraph: 'ok', subgraphs: Object.fromEntries([...SUBGRAPH_NAMES].sort().map((n) => [n, { ready: true, circuit: 'closed' }])) },
    });
  });
});

describe('metrics', () => {
  const countOf = async (operation: string, outcome: string) => {
    const { text } = await get(`${rootOf(sg.gateway.url)}/metrics`);
    return samples(text, 'graphql_requests_total').find((s) => s.labels.operation === operation && s.labels.service === 'gateway' && s.labels.outcome === outcome)?.value ?? 0;
  };

  it('counts gateway operations known from the trusted documents in graphql_requests_total with the operation as a label', async () => {
    // DashboardViewer is an operation of schema/operations, so a name the gateway knows
    const before = await countOf('DashboardViewer', 'ok');
    await sg.client.as('alice@acme.test', 'query DashboardViewer { me { id } }', {}, 'DashboardViewer');
    const { status } = await get(`${rootOf(sg.gateway.url)}/metrics`);
    expect(status).toBe(200);
    expect(await countOf('DashboardViewer', 'ok')).toBe(before + 1);
  });

  it('counts failed operations under outcome error', async () => {
    const before = await countOf('LowStock', 'error');
    const result = await sg.client.request('query LowStock { me { id } }', {}, { operationName: 'LowStock' });
    expect(result.errors).toBeDefined();
    expect(await countOf('LowStock', 'error')).toBe(before + 1);
  });

  it('counts operations under names it does not know as other, so clients cannot grow the label set', async () => {
    const operation = `OperabilityProbe${Date.now()}`;
    const before = await countOf('other', 'ok');
    await sg.client.as('alice@acme.test', `query ${operation} { me { id } }`, {}, operation);
    const { text } = await get(`${rootOf(sg.gateway.url)}/metrics`);
    expect(samples(text, 'graphql_requests_total').filter((s) => s.labels.operation === operation)).toEqual([]);
    expect(await countOf('other', 'ok')).toBe(before + 1);
  });

  it('measures subgraph fetches in gateway_subgraph_fetch_duration_seconds', async () => {
    await sg.client.as('alice@acme.test', '{ products(first: 1) { edges { node { id stock { available } } } } }');
    const { text } = await get(`${rootOf(sg.gateway.url)}/metrics`);
    const counts = samples(text, 'gateway_subgraph_fetch_duration_seconds_count');
    const subgraphs = new Set(counts.filter((s) => s.value > 0).map((s) => s.labels.subgraph));
    expect(subgraphs.has('catalog')).toBe(true);
    expect(subgraphs.has('inventory')).toBe(true);
    expect(text).toMatch(/^gateway_subgraph_fetch_duration_seconds_bucket\{/m);
  });

  it("serves db_statements_total on a subgraph's /metrics", async () => {
    await sg.client.as('alice@acme.test', '{ products(first: 1) { totalCount } }');
    const { status, text } = await get(`${rootOf(sg.subgraphs.catalog.url)}/metrics`);
    expect(status).toBe(200);
    const catalog = samples(text, 'db_statements_total').find((s) => s.labels.service === 'catalog');
    expect(catalog?.value).toBeGreaterThan(0);
  });
});

describe('request ids', () => {
  it('echoes the x-request-id a caller gives', async () => {
    const requestId = `probe-${Date.now()}-abc`;
    const result = await sg.client.request('{ __typename }', {}, { headers: { 'x-request-id': requestId } });
    expect(result.headers.get('x-request-id')).toBe(requestId);
  });

  it('makes a request id when none is given, a different one per request', async () => {
    const first = await sg.client.request('{ __typename }');
    const second = await sg.client.request('{ __typename }');
    const a = first.headers.get('x-request-id');
    const b = second.headers.get('x-request-id');
    expect(a).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
    expect(b).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
    expect(a).not.toBe(b);
  });

  it('replaces a request id that is not sane instead of echoing it', async () => {
    const result = await sg.client.request('{ __typename }', {}, { headers: { 'x-request-id': 'bad id <script>' } });
    const id = result.headers.get('x-request-id');
    expect(id).not.toBe('bad id <script>');
    expect(id).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
  });
});

describe('error responses', () => {
  it('never carries a stack trace, whatever the error', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const admin = await sg.client.tokenFor('admin@acme.test');
    const responses = await Promise.all([
      sg.client.request('{ me { id } }'),
      sg.client.request('{ nope }', {}, { token }),
      sg.client.request('{ products(first: 0) { totalCount } }', {}, { token }),
      sg.client.request('{ orders(first: 1) { totalCount } }', {}, { token }),
      sg.client.request('mutation { adjustStock(productId: "00000000-0000-4000-8000-000000000000", delta: 1, reason: "x") { available } }', {}, { token: admin }),
      sg.client.request('{ products(first: 1, after: "garbage") { totalCount } }', {}, { token }),
      sg.client.request('query { ', {}, { token }),
    ]);
    for (const response of responses) {
      expect(response.errors?.length).toBeGreaterThan(0);
      for (const error of response.errors!) {
        expect(error.extensions?.stacktrace).toBeUndefined();
        expect(error.extensions?.exception).toBeUndefined();
        expect(JSON.stringify(error)).not.toMatch(/\bat .+\.(ts|js):\d+/);
      }
    }
  });
});

// Last: a stopped subgraph cannot be started again in this file.
describe('when a subgraph is down', () => {
  it('stays ready on /readyz (it still serves everything else) and reports the subgraph that is down in the body', async () => {
    await sg.subgraphs.shipping.stop();
    let result = await get(`${rootOf(sg.gateway.url)}/readyz`);
    // the gateway asks its subgraphs in the background; wait for the next round to notice
    for (let i = 0; i < 100 && result.json.checks.subgraphs.shipping.ready; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await get(`${rootOf(sg.gateway.url)}/readyz`);
    }
    expect(result.status).toBe(200);
    expect(result.json.status).toBe('ready');
    expect(result.json.checks.subgraphs.shipping.ready).toBe(false);
    for (const other of SUBGRAPH_NAMES.filter((n) => n !== 'shipping')) expect(result.json.checks.subgraphs[other].ready).toBe(true);
  });

  it('still serves what does not need the stopped subgraph', async () => {
    const result = await sg.client.as<any>('alice@acme.test', '{ products(first: 1) { totalCount } }');
    expect(result.products.totalCount).toBeGreaterThan(0);
  });
});
