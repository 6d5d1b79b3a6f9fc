// What SECURITY.md promises, held to over HTTP: a failed sign-in is HTTP 401, an id that is no id is
// BAD_USER_INPUT (never a silent null), an idempotency key reused with another cart is CONFLICT,
// and introspection and "did you mean" suggestions answer without a token in development only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { contract } from '../harness/operations.js';
import { expectNoDatabaseChange, expectRefusal } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const SIGN_IN = 'mutation SignIn($tenant: String!, $email: String!, $password: String!) { login(tenant: $tenant, email: $email, password: $password) { token } }';

let sg: TestSupergraph;
beforeAll(async () => {
  sg = await startTestSupergraph();
});
afterAll(async () => {
  await sg?.stop();
});

describe('failed sign-ins', () => {
  it.each([
    ['a wrong password', { tenant: 'acme', email: 'alice@acme.test', password: 'not-it' }],
    ['an unknown email', { tenant: 'acme', email: 'nobody@acme.test', password: 'demo-password' }],
    ['an unknown tenant', { tenant: 'nowhere', email: 'alice@acme.test', password: 'demo-password' }],
  ])('answer %s with HTTP 401 and UNAUTHENTICATED, as a refused refresh token does', async (_label, variables) => {
    const result = await sg.client.request(SIGN_IN, variables);
    expectRefusal(result, 'UNAUTHENTICATED', 401);
    expect(result.errors![0]!.message).toBe('The tenant, email or password is not right.');
  });
});

describe('ids that are not ids', () => {
  it.each([
    ['product', 'query($id: ID!) { product(id: $id) { id } }', 'kitchen'],
    ['order', 'query($id: ID!) { order(id: $id) { id } }', '1'],
    ['cancelOrder', 'mutation($id: ID!) { cancelOrder(id: $id) { id } }', "1' OR '1'='1"],
  ])('are refused by %s with BAD_USER_INPUT naming the argument, not answered null', async (_field, query, id) => {
    const token = await sg.client.tokenFor('admin@acme.test');
    const result = await expectNoDatabaseChange(sg, () => sg.client.request(query, { id }, { token }));
    expectRefusal(result, 'BAD_USER_INPUT', 400);
    expect(result.errors![0]!.extensions!.field).toBe('id');
  });

  it('answers null for a well-formed id that names nothing the caller may see', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const result = await sg.client.request<{ product: null }>('query($id: ID!) { product(id: $id) { id } }', { id: randomUUID() }, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.product).toBeNull();
  });
});

describe('idempotency keys', () => {
  it('answer the first order for the same cart and CONFLICT for another cart, writing nothing', async () => {
    const [first, second] = acme.products.filter((p) => p.available > 10);
    const key = randomUUID();
    const place = (items: { productId: string; quantity: number }[]) =>
      sg.client.request<{ placeOrder: { id: string } }>(contract.storefront, { input: { idempotencyKey: key, items } }, { token: aliceToken, operationName: 'PlaceOrder' });
    const aliceToken = await sg.client.tokenFor('alice@acme.test');
    const placed = await place([{ productId: first!.id, quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    expect((await place([{ productId: first!.id, quantity: 1 }])).data!.placeOrder.id).toBe(placed.data!.placeOrder.id);
    const refused = await expectNoDatabaseChange(sg, () => place([{ productId: second!.id, quantity: 1 }]));
    expectRefusal(refused, 'CONFLICT');
    expect(refused.errors![0]!.extensions).toMatchObject({ field: 'input.idempotencyKey', orderId: placed.data!.placeOrder.id });
  });

  it('answer CONFLICT, not BAD_USER_INPUT, for a used key whose new cart names no product of the shop', async () => {
    const [product] = acme.products.filter((p) => p.available > 10);
    const key = randomUUID();
    const aliceToken = await sg.client.tokenFor('alice@acme.test');
    const place = (items: { productId: string; quantity: number }[]) =>
      sg.client.request<{ placeOrder: { id: string } }>(contract.storefront, { input: { idempotencyKey: key, items } }, { token: aliceToken, operationName: 'PlaceOrder' });
    const placed = await place([{ productId: product!.id, quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    const refused = await expectNoDatabaseChange(sg, () => place([{ productId: randomUUID(), quantity: 1 }]));
    expectRefusal(refused, 'CONFLICT');
    expect(refused.errors![0]!.extensions).toMatchObject({ orderId: placed.data!.placeOrder.id });
    // a fresh key with that cart is the plain input error it always was
    const unknown = await sg.client.request(contract.storefront, { input: { idempotencyKey: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] } }, { token: aliceToken, operationName: 'PlaceOrder' });
    expectRefusal(unknown, 'BAD_USER_INPUT');
  });
});

describe('introspection and suggestions in development', () => {
  it('answers introspection and "did you mean" without a token outside production (documented in SECURITY.md)', async () => {
    const schema = await sg.client.request<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(schema.data!.__schema.queryType.name).toBe('Query');
    const typo = await sg.client.request('{ prodcts { totalCount } }');
    expect(typo.errors![0]!.message).toMatch(/Did you mean "products"/);
  });
});
