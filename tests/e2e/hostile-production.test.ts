// The production posture (NODE_ENV=production): only the operations of the trusted-documents
// manifest run, sent by id as persisted queries (the whole client contract keeps working that
// way); introspection and the landing page are off; errors are masked with a request id to quote.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TENANTS } from '../../prisma/demo-data.js';
import { TOOLING_KEY_HEADER } from '#platform/auth';
import { REPO_ROOT } from '#platform/config';
import { codeOfRaw, expectNoDatabaseChange, productionEnv, rawPost, type RawResponse } from '../harness/hostile.js';
import { LiveClient } from '../harness/live-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const manifest = JSON.parse(readFileSync(resolve(REPO_ROOT, 'schema/trusted-documents.json'), 'utf8')) as { operations: { id: string; name: string; body: string }[] };
const idOf = (name: string) => manifest.operations.find((o) => o.name === name)!.id;
const bodyOf = (name: string) => manifest.operations.find((o) => o.name === name)!.body;
const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;

let sg: TestSupergraph;
let env: Record<string, string>;
const tokens = new Map<string, string>();

beforeAll(async () => {
  env = await productionEnv();
  sg = await startTestSupergraph(env);
});
afterAll(async () => {
  await sg?.stop();
});

/** A persisted query sent by id only, the way a client built against the manifest sends it. */
function byId(name: string, variables: Record<string, unknown> = {}, token?: string): Promise<RawResponse> {
  const body = { operationName: name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: idOf(name) } } };
  return rawPost(sg.gateway.url, JSON.stringify(body), token ? { authorization: `Bearer ${token}` } : {});
}

async function tokenFor(email: string): Promise<string> {
  const known = tokens.get(email);
  if (known) return known;
  const response = await byId('Login', { tenant: email.split('@')[1]!.split('.')[0]!, email, password: DEMO_PASSWORD });
  expect(response.body?.errors).toBeUndefined();
  tokens.set(email, response.body!.data.login.token);
  return response.body!.data.login.token;
}

async function ok(name: string, variables: Record<string, unknown>, email?: string): Promise<any> {
  const response = await byId(name, variables, email ? await tokenFor(email) : undefined);
  expect(response.body?.errors, name).toBeUndefined();
  expect(response.status, name).toBe(200);
  return response.body!.data;
}

function expectRefused(response: RawResponse, code: string, status: number): void {
  expect(response.status).toBe(status);
  expect(codeOfRaw(response)).toBe(code);
  expect(response.body?.data ?? null).toBeNull();
}

describe('the client contract by id', () => {
  it('runs every storefront query and mutation of the contract', async () => {
    const catalog = await ok('Catalog', { first: 5, search: 'mug' }, 'alice@acme.test');
    expect(catalog.products.edges.length).toBeGreaterThan(0);
    const productId = catalog.products.edges[0].node.id;
    expect((await ok('Product', { id: productId }, 'alice@acme.test')).product.id).toBe(productId);
    const mine = await ok('MyOrders', { first: 10 }, 'alice@acme.test');
    expect(mine.me.orders.totalCount).toBeGreaterThan(0);
    expect((await ok('Order', { id: mine.me.orders.edges[0].node.id }, 'alice@acme.test')).order.customer.email).toBe('alice@acme.test');
    const placed = await ok('PlaceOrder', { input: { idempotencyKey: randomUUID(), items: [{ productId, quantity: 1 }] } }, 'alice@acme.test');
    expect(placed.placeOrder.status).toBe('PENDING');
    expect((await ok('CancelOrder', { id: placed.placeOrder.id }, 'alice@acme.test')).cancelOrder.id).toBe(placed.placeOrder.id);
  });

  it('runs every dashboard query and mutation of the contract', async () => {
    expect((await ok('DashboardOrders', { first: 5 }, 'admin@acme.test')).orders.totalCount).toBeGreaterThan(0);
    const low = await ok('LowStock', { threshold: 10 }, 'admin@acme.test');
    expect(low.lowStock.length).toBeGreaterThan(0);
    const adjusted = await ok('AdjustStock', { productId: low.lowStock[0].product.id, delta: 1, reason: 'production test' }, 'admin@acme.test');
    expect(adjusted.adjustStock.available).toBe(low.lowStock[0].available + 1);
    const input = { sku: `PROD-${Date.now()}`, name: 'Production Lamp', price: { amount: 999, currency: 'USD' }, categoryId: acme.categories[0]!.id };
    expect((await ok('CreateProduct', { input }, 'admin@acme.test')).createProduct.sku).toBe(input.sku);
  });

  it('runs the contract subscriptions over graphql-ws, sent as their manifest documents', async () => {
    const client = await LiveClient.connect(sg.gateway.url, await tokenFor('admin@acme.test'));
    try {
      const product = acme.products[11]!;
      const stock = client.subscribe(bodyOf('LiveStock'), { productIds: [product.id] }, 'LiveStock');
      let heard = false;
      for (let attempt = 0; attempt < 20 && !heard; attempt += 1) {
        await ok('AdjustStock', { productId: product.id, delta: 1, reason: 'live' }, 'admin@acme.test');
        heard = Boolean(await stock.waitFor('the change', (r) => r.data?.stockChanged?.product.id === product.id, 1_000).catch(() => undefined));
      }
      expect(heard).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('keeps sessions going with the session operations: sign in, refresh, sign out', async () => {
    const signedIn = await ok('SignIn', { tenant: 'acme', email: 'alice@acme.test', password: DEMO_PASSWORD });
    const refreshed = await ok('RefreshSession', { refreshToken: signedIn.login.refreshToken });
    expect(refreshed.refreshToken.token).toEqual(expect.any(String));
    expectRefused(await byId('SignOut'), 'UNAUTHENTICATED', 401);
    const out = await byId('SignOut', {}, refreshed.refreshToken.token);
    expect(out.body?.data).toEqual({ logout: true });
  });
});

describe('anything else', () => {
  it('refuses an operation that is not in the manifest with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    const token = await tokenFor('alice@acme.test');
    const response = await expectNoDatabaseChange(sg, () => rawPost(sg.gateway.url, JSON.stringify({ query: '{ me { id email } }' }), { authorization: `Bearer ${token}` }));
    expectRefused(response, 'PERSISTED_QUERY_NOT_IN_LIST', 400);
  });

  it('refuses a trusted operation edited by one field', async () => {
    const body = manifest.operations.find((o) => o.name === 'Product')!.body.replace('description', 'description sku');
    const response = await rawPost(sg.gateway.url, JSON.stringify({ query: body, variables: { id: acme.products[0]!.id } }), { authorization: `Bearer ${await tokenFor('alice@acme.test')}` });
    expectRefused(response, 'PERSISTED_QUERY_NOT_IN_LIST', 400);
  });

  it('refuses to register a new persisted query, then does not know its id', async () => {
    const query = '{ currentTenant { id slug name } }';
    const hash = (await import('node:crypto')).createHash('sha256').update(query).digest('hex');
    const token = await tokenFor('alice@acme.test');
    const register = await rawPost(sg.gateway.url, JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }), { authorization: `Bearer ${token}` });
    expectRefused(register, 'PERSISTED_QUERY_NOT_IN_LIST', 400);
    const again = await rawPost(sg.gateway.url, JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }), { authorization: `Bearer ${token}` });
    expectRefused(again, 'PERSISTED_QUERY_NOT_FOUND', 200);
  });

  it('refuses the whole contract file sent as one document: trusted documents are single operations', async () => {
    const response = await rawPost(sg.gateway.url, JSON.stringify({ query: contract.storefront, operationName: 'Catalog', variables: { first: 1 } }), {
      authorization: `Bearer ${await tokenFor('alice@acme.test')}`,
    });
    expectRefused(response, 'PERSISTED_QUERY_NOT_IN_LIST', 400);
  });

  it('refuses introspection', async () => {
    const response = await rawPost(sg.gateway.url, JSON.stringify({ query: '{ __schema { types { name } } }' }));
    expectRefused(response, 'PERSISTED_QUERY_NOT_IN_LIST', 400);
  });

  it('refuses a subscription that is not in the manifest over graphql-ws', async () => {
    const client = await LiveClient.connect(sg.gateway.url, await tokenFor('admin@acme.test'));
    try {
      const errors = await client.subscribe('subscription { stockChanged { id available } }').refusal();
      expect(errors[0]!.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    } finally {
      await client.dispose();
    }
  });
});

describe('production posture', () => {
  it('serves no landing page', async () => {
    const response = await fetch(sg.gateway.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toMatch(/<html/i);
  });

  it('sends HSTS and a strict content security policy', async () => {
    const response = await byId('Login', { tenant: 'acme', email: 'alice@acme.test', password: DEMO_PASSWORD });
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('refuses a wrong password in production with the same code and message as anywhere else', async () => {
    const response = await expectNoDatabaseChange(sg, () => byId('Login', { tenant: 'acme', email: 'alice@acme.test', password: 'wrong' }));
    expectRefused(response, 'UNAUTHENTICATED', 401);
    expect(response.body?.errors?.[0]?.message).toBe('The tenant, email or password is not right.');
    expect(response.body?.errors?.[0]?.extensions?.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('lets composition tooling read `_service` only with the configured tooling key', async () => {
    const body = JSON.stringify({ query: '{ _service { sdl } }' });
    const withKey = await rawPost(sg.subgraphs.catalog.url, body, { [TOOLING_KEY_HEADER]: env.SUBGRAPH_TOOLING_KEY! });
    expect(withKey.body?.data?._service?.sdl).toContain('type Product');
    expectRefused(await rawPost(sg.subgraphs.catalog.url, body, { [TOOLING_KEY_HEADER]: 'not-the-key' }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it('masks an internal failure: no message from inside, a request id to quote', async () => {
    await sg.subgraphs.payments.stop();
    const mine = await ok('MyOrders', { first: 1 }, 'alice@acme.test');
    const response = await byId('Order', { id: mine.me.orders.edges[0].node.id }, await tokenFor('alice@acme.test'));
    const errors = response.body?.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.message).not.toMatch(/localhost|127\.0\.0\.1|ECONNREFUSED|:\d{4,5}|payments/i);
      expect(error.extensions?.requestId).toBe(response.headers.get('x-request-id'));
      expect(JSON.stringify(error)).not.toMatch(/stack|at .*\.ts/);
    }
    expect(response.body?.data?.order?.id).toBeDefined();
  });
});
