// Subgraphs answer the gateway and nobody else: requests straight to each subgraph without, with
// forged, stolen, replayed, re-aimed or edited credentials, or with one a compromised subgraph made
// with its own key for another; `_entities` and `_service` included.
// With a genuine credential, foreign entity keys still resolve to nothing, and each subgraph
// enforces its own @authenticated/@requiresScopes again.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { GATEWAY_CREDENTIAL_HEADER, GatewayCredentialSigner, TOOLING_KEY_HEADER, loadToolingKey, subgraphCredentialKey, type Identity } from '#platform/auth';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { asGateway, base64url, codeOfRaw, expectNoDatabaseChange, expectRefusal, gatewaySecret, gatewaySigner, rawPost, type RawResponse } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const globex = DEMO_TENANTS.find((t) => t.slug === 'globex')!;
const alice = acme.users.find((u) => u.email === 'alice@acme.test')!;
const acmeAdmin = acme.users.find((u) => u.role === 'ADMIN')!;
const bob = globex.users.find((u) => u.email === 'bob@globex.test')!;
const globexAdmin = globex.users.find((u) => u.role === 'ADMIN')!;
const acmeProduct = acme.products[5]!;
const aliceOrder = acme.orders[1]!;

const asIdentity = (user: { id: string; role: 'ADMIN' | 'CUSTOMER' }, tenantId: string): Identity => ({ userId: user.id, tenantId, role: user.role });
const GLOBEX_ADMIN = asIdentity(globexAdmin, globex.id);

/** What each subgraph resolves as entities, and a representation of acme's data for each. */
const ENTITY_PROBES: { subgraph: SubgraphName; query: string; representation: Record<string, string> }[] = [
  { subgraph: 'accounts', query: '... on User { id email }', representation: { __typename: 'User', id: alice.id } },
  { subgraph: 'accounts', query: '... on Tenant { id slug }', representation: { __typename: 'Tenant', id: acme.id } },
  { subgraph: 'catalog', query: '... on Product { id name price { amount } }', representation: { __typename: 'Product', id: acmeProduct.id } },
  { subgraph: 'catalog', query: '... on Category { id name }', representation: { __typename: 'Category', id: acme.categories[0]!.id } },
  { subgraph: 'orders', query: '... on Order { id total { amount } }', representation: { __typename: 'Order', id: aliceOrder.id } },
];

const entitiesQuery = (selection: string) => `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`;

let sg: TestSupergraph;
beforeAll(async () => {
  sg = await startTestSupergraph();
});
afterAll(async () => {
  await sg?.stop();
});

function expectRefusedRaw(response: RawResponse, code: string, status: number): void {
  expect(response.status).toBe(status);
  expect(codeOfRaw(response)).toBe(code);
  expect(response.body?.data ?? null).toBeNull();
}

describe('requests that do not come from the gateway', () => {
  it.each(SUBGRAPH_NAMES)('%s refuses `_entities` without a credential, with GATEWAY_CREDENTIAL_MISSING', async (name) => {
    const body = JSON.stringify({ query: entitiesQuery('__typename'), variables: { r: [{ __typename: 'Order', id: aliceOrder.id }] } });
    const response = await expectNoDatabaseChange(sg, () => rawPost(sg.subgraphs[name].url, body));
    expectRefusedRaw(response, 'GATEWAY_CREDENTIAL_MISSING', 401);
  });

  it.each(SUBGRAPH_NAMES)('%s refuses `_service` without a credential', async (name) => {
    const response = await rawPost(sg.subgraphs[name].url, JSON.stringify({ query: '{ _service { sdl } }' }));
    expectRefusedRaw(response, 'GATEWAY_CREDENTIAL_MISSING', 401);
    expect(response.text).not.toContain('type Query');
  });

  it('ignores identity headers: forged x-user-id, x-tenant-id and x-user-role get nothing', async () => {
    const body = JSON.stringify({ query: '{ orders(first: 5) { totalCount } }' });
    const response = await rawPost(sg.subgraphs.orders.url, body, { 'x-user-id': acmeAdmin.id, 'x-tenant-id': acme.id, 'x-user-role': 'ADMIN' });
    expectRefusedRaw(response, 'GATEWAY_CREDENTIAL_MISSING', 401);
  });

  it('refuses GET with 405: subgraphs take POSTs from the gateway only', async () => {
    const response = await fetch(`${sg.subgraphs.catalog.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('credentials that are not good for this request', () => {
  const probe = ENTITY_PROBES.find((p) => p.subgraph === 'orders' && p.representation.__typename === 'Order')!;
  const bodyFor = (id: string) => JSON.stringify({ query: entitiesQuery(probe.query), variables: { r: [{ __typename: 'Order', id }] } });
  const sha256 = (body: string) => createHash('sha256').update(body).digest('base64url');

  /** A credential written by hand with any JWT library (jose here) and a key: what an attacker holding that key could send. */
  const handMade = (key: Uint8Array, kid: string, claims: Record<string, unknown>, lifetime: { iat: number; exp: number }) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid, typ: 'gateway+jwt' })
      .setIssuer('supergraph-gateway')
      .setAudience('orders')
      .setSubject(acmeAdmin.id)
      .setIssuedAt(lifetime.iat)
      .setExpirationTime(lifetime.exp)
      .setJti(`hand-made-${Math.random()}`)
      .sign(key);

  it('refuses a credential the gateway made for catalog when it is sent to orders', async () => {
    const body = bodyFor(aliceOrder.id);
    const credential = gatewaySigner(sg, 'catalog').sign({ body, requestId: 'test-aud-0001', identity: asIdentity(acmeAdmin, acme.id) });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it("refuses what a compromised catalog makes for orders with its own key, audience and kid right", async () => {
    const body = bodyFor(aliceOrder.id);
    const forged = gatewaySigner(sg, 'catalog', 'orders').sign({ body, requestId: 'test-lateral-01', identity: asIdentity(acmeAdmin, acme.id) });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: forged }), 'GATEWAY_CREDENTIAL_INVALID', 401);
    // the same request made with orders' key is answered: the refusal above is the key, nothing else
    const genuine = gatewaySigner(sg, 'orders').sign({ body, requestId: 'test-lateral-02', identity: asIdentity(acmeAdmin, acme.id) });
    expect((await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: genuine })).body?.data?._entities?.[0]?.id).toBe(aliceOrder.id);
  });

  it('refuses a captured credential attached to an edited body', async () => {
    const credential = gatewaySigner(sg, 'orders').sign({ body: bodyFor(bob.id), requestId: 'test-body-0001', identity: asIdentity(acmeAdmin, acme.id) });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, bodyFor(aliceOrder.id), { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it('refuses a captured credential whose caller was edited to another tenant', async () => {
    const body = bodyFor(aliceOrder.id);
    const captured = gatewaySigner(sg, 'orders').sign({ body, requestId: 'test-caller-01', identity: GLOBEX_ADMIN });
    const [header, payload, mac] = captured.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const edited = `${header}.${base64url({ ...claims, tid: acme.id, sub: acmeAdmin.id })}.${mac}`;
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: edited }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it('refuses a captured credential replayed with its own body', async () => {
    const body = bodyFor(aliceOrder.id);
    const credential = gatewaySigner(sg, 'orders').sign({ body, requestId: 'test-replay-01', identity: asIdentity(acmeAdmin, acme.id) });
    const first = await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential });
    expect(first.body?.data?._entities?.[0]?.id).toBe(aliceOrder.id);
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it("refuses an expired credential made with orders' real key", async () => {
    const body = bodyFor(aliceOrder.id);
    const key = subgraphCredentialKey(gatewaySecret(sg), 'orders');
    const now = Math.floor(Date.now() / 1000);
    const credential = await handMade(key.key, key.kid, { rid: 'test-expired-1', bh: sha256(body), tid: acme.id, role: 'ADMIN' }, { iat: now - 120, exp: now - 60 });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it("refuses a credential made with orders' real key to live for an hour", async () => {
    const body = bodyFor(aliceOrder.id);
    const key = subgraphCredentialKey(gatewaySecret(sg), 'orders');
    const now = Math.floor(Date.now() / 1000);
    const credential = await handMade(key.key, key.kid, { rid: 'test-long-0001', bh: sha256(body), tid: acme.id, role: 'ADMIN' }, { iat: now, exp: now + 3_600 });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it("refuses a credential made with an attacker's key under the gateway's key id", async () => {
    const body = bodyFor(aliceOrder.id);
    const forged = new GatewayCredentialSigner({ kid: gatewaySecret(sg).kid, key: randomBytes(32) }, 'orders', 30);
    const credential = forged.sign({ body, requestId: 'test-forged-01', identity: asIdentity(acmeAdmin, acme.id) });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });

  it('refuses an unsigned credential (alg none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'supergraph-gateway', aud: 'orders', sub: acmeAdmin.id, tid: acme.id, role: 'ADMIN', iat: now, exp: now + 30, jti: 'none-1', rid: 'test-none-0001', bh: 'x' };
    const credential = `${base64url({ alg: 'none', kid: gatewaySecret(sg).kid, typ: 'gateway+jwt' })}.${base64url(claims)}.`;
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, bodyFor(aliceOrder.id), { [GATEWAY_CREDENTIAL_HEADER]: credential }), 'GATEWAY_CREDENTIAL_INVALID', 401);
  });
});

describe('what a subgraph answers the gateway', () => {
  it('carries no resolver timings (Apollo ftv1 traces), even when the request asks for them', async () => {
    const body = JSON.stringify({ query: '{ products(first: 1) { totalCount } }' });
    const credential = gatewaySigner(sg, 'catalog').sign({ body, requestId: `test-${Date.now()}`, identity: GLOBEX_ADMIN });
    const response = await rawPost(sg.subgraphs.catalog.url, body, { [GATEWAY_CREDENTIAL_HEADER]: credential, 'apollo-federation-include-trace': 'ftv1' });
    expect(response.status, response.text).toBe(200);
    expect(response.body?.data?.products?.totalCount).toBeGreaterThan(0);
    expect(response.text).not.toContain('ftv1');
  });
});

describe('composition tooling', () => {
  const toolingKey = () => loadToolingKey({ toolingKey: undefined, dataDir: sg.gatewayConfig.dataDir, production: false })!;

  it.each(SUBGRAPH_NAMES)('%s serves `_service { sdl }` to the tooling key', async (name) => {
    const response = await rawPost(sg.subgraphs[name].url, JSON.stringify({ query: '{ _service { sdl } }' }), { [TOOLING_KEY_HEADER]: toolingKey() });
    expect(response.status).toBe(200);
    expect(response.body?.data?._service?.sdl).toContain('@key');
  });

  it('refuses anything but `_service` to the tooling key, with FORBIDDEN', async () => {
    const body = JSON.stringify({ query: entitiesQuery('... on Order { id }'), variables: { r: [{ __typename: 'Order', id: aliceOrder.id }] } });
    expectRefusedRaw(await rawPost(sg.subgraphs.orders.url, body, { [TOOLING_KEY_HEADER]: toolingKey() }), 'FORBIDDEN', 403);
  });

  it('refuses a wrong tooling key', async () => {
    const response = await rawPost(sg.subgraphs.catalog.url, JSON.stringify({ query: '{ _service { sdl } }' }), { [TOOLING_KEY_HEADER]: 'x'.repeat(43) });
    expectRefusedRaw(response, 'GATEWAY_CREDENTIAL_INVALID', 401);
  });
});

describe('`_entities` with foreign keys', () => {
  it('is not part of the API: the gateway refuses `_entities` from clients', async () => {
    const token = await sg.client.tokenFor('admin@globex.test');
    const result = await sg.client.request(entitiesQuery('... on Order { id }'), { r: [{ __typename: 'Order', id: aliceOrder.id }] }, { token });
    expectRefusal(result, 'GRAPHQL_VALIDATION_FAILED', 400);
  });

  it.each(ENTITY_PROBES.map((p) => [`${p.subgraph} ${p.representation.__typename}`, p] as const))(
    "resolves acme's %s to null for the globex admin, even with the gateway's credential",
    async (_label, probe) => {
      const response = await expectNoDatabaseChange(sg, () => asGateway(sg, probe.subgraph, GLOBEX_ADMIN, entitiesQuery(probe.query), { r: [probe.representation] }));
      expect(response.body?.errors).toBeUndefined();
      expect(response.body?.data._entities).toEqual([null]);
    },
  );

  it("gives the globex admin nothing of alice's order's stock, payment or shipment", async () => {
    const representation = { r: [{ __typename: 'Order', id: aliceOrder.id }] };
    const payments = await asGateway(sg, 'payments', GLOBEX_ADMIN, entitiesQuery('... on Order { payment { id status amount { amount } } }'), representation);
    const shipping = await asGateway(sg, 'shipping', GLOBEX_ADMIN, entitiesQuery('... on Order { shipment { id trackingNumber } }'), representation);
    const inventory = await asGateway(sg, 'inventory', GLOBEX_ADMIN, entitiesQuery('... on Product { stock { available reserved } }'), { r: [{ __typename: 'Product', id: acmeProduct.id }] });
    expect(payments.body?.data._entities[0]?.payment ?? null).toBeNull();
    expect(shipping.body?.data._entities[0]?.shipment ?? null).toBeNull();
    expect(inventory.body?.data._entities[0]?.stock).toEqual({ available: 0, reserved: 0 });
  });

  it('resolves the same keys for the acme admin, so the nulls above are isolation', async () => {
    const admin = asIdentity(acmeAdmin, acme.id);
    for (const probe of ENTITY_PROBES) {
      const response = await asGateway(sg, probe.subgraph, admin, entitiesQuery(probe.query), { r: [probe.representation] });
      expect(response.body?.data._entities[0], `${probe.subgraph} ${probe.representation.__typename}`).not.toBeNull();
    }
  });

  it("counts none of alice's orders when the globex admin reaches them through orders' User reference", async () => {
    const query = entitiesQuery('... on User { orders(first: 5) { totalCount edges { node { id } } } }');
    const foreign = await asGateway(sg, 'orders', GLOBEX_ADMIN, query, { r: [{ __typename: 'User', id: alice.id }] });
    const own = await asGateway(sg, 'orders', asIdentity(acmeAdmin, acme.id), query, { r: [{ __typename: 'User', id: alice.id }] });
    expect(foreign.body?.data._entities[0].orders).toEqual({ totalCount: 0, edges: [] });
    expect(own.body?.data._entities[0].orders.totalCount).toBeGreaterThan(0);
  });

  it("resolves alice's order to null for another acme customer", async () => {
    const stranger: Identity = { userId: '00000000-0000-4000-8000-000000000001', tenantId: acme.id, role: 'CUSTOMER' };
    const response = await asGateway(sg, 'orders', stranger, entitiesQuery('... on Order { id }'), { r: [{ __typename: 'Order', id: aliceOrder.id }] });
    expect(response.body?.data._entities).toEqual([null]);
  });
});

describe('policies enforced again in each subgraph', () => {
  it('refuses a customer the admin-only lowStock of inventory with FORBIDDEN, even with the gateway credential', async () => {
    const response = await asGateway(sg, 'inventory', asIdentity(alice, acme.id), '{ lowStock(threshold: 1000) { id available } }');
    expectRefusedRaw(response, 'FORBIDDEN', 403);
  });

  it('refuses an anonymous catalog query with UNAUTHENTICATED', async () => {
    expectRefusedRaw(await asGateway(sg, 'catalog', null, '{ products(first: 5) { totalCount } }'), 'UNAUTHENTICATED', 401);
  });

  it('refuses an anonymous `_entities` asking for @authenticated stock', async () => {
    const response = await asGateway(sg, 'inventory', null, entitiesQuery('... on Product { stock { available } }'), { r: [{ __typename: 'Product', id: acmeProduct.id }] });
    expectRefusedRaw(response, 'UNAUTHENTICATED', 401);
  });

  it('refuses a customer the admin-only createProduct of catalog and creates nothing', async () => {
    const mutation = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }';
    const input = { sku: 'HOSTILE-1', name: 'Hostile', price: { amount: 1, currency: 'USD' }, categoryId: acme.categories[0]!.id };
    const response = await expectNoDatabaseChange(sg, () => asGateway(sg, 'catalog', asIdentity(alice, acme.id), mutation, { input }));
    expectRefusedRaw(response, 'FORBIDDEN', 403);
  });
});
