import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { codeOf, type GraphQLResponse } from '../harness/graphql-client.js';
import { contract } from '../harness/operations.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

let sg: TestSupergraph;
beforeAll(async () => {
  sg = await startTestSupergraph();
});
afterAll(async () => {
  await sg?.stop();
});

const count = (...args: Parameters<TestSupergraph['count']>) => sg.count(...args);

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const category = acme.categories[0]!;
let skuCounter = 0;
const uniqueSku = (prefix = 'BAD') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(skuCounter += 1)}`;

const productCount = async () => (await sg.sql<{ n: number }>('catalog', `SELECT count(*)::int AS n FROM "catalog"."Product"`))[0]!.n;
const outboxCount = async () => (await sg.sql<{ n: number }>('catalog', `SELECT count(*)::int AS n FROM "catalog"."OutboxEvent"`))[0]!.n;

async function createProduct(input: Record<string, unknown>): Promise<GraphQLResponse<any>> {
  const token = await sg.client.tokenFor('admin@acme.test');
  return sg.client.request<any>(contract.dashboard, { input }, { token, operationName: 'CreateProduct' });
}

const validInput = (overrides: Record<string, unknown> = {}) => ({
  sku: uniqueSku(),
  name: 'Test Lamp',
  description: 'A lamp.',
  price: { amount: 1999, currency: 'USD' },
  categoryId: category.id,
  ...overrides,
});

/** Runs a bad createProduct and checks that neither a product nor an event was written. */
async function refusedCreate(input: Record<string, unknown>): Promise<GraphQLResponse<any>> {
  const [products, events] = [await productCount(), await outboxCount()];
  const result = await createProduct(input);
  expect(result.data?.createProduct ?? null).toBeNull();
  expect(await productCount()).toBe(products);
  expect(await outboxCount()).toBe(events);
  return result;
}

describe('createProduct refuses bad input and writes nothing', () => {
  it.each([
    ['an empty name', { name: '' }, 'input.name'],
    ['a whitespace name', { name: '   \t ' }, 'input.name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'input.name'],
    ['an empty sku', { sku: '' }, 'input.sku'],
    ['a sku with spaces', { sku: 'HAS SPACE' }, 'input.sku'],
    ['a negative price', { price: { amount: -1, currency: 'USD' } }, 'input.price.amount'],
    ['a lower-case currency', { price: { amount: 1999, currency: 'usd' } }, 'input.price.currency'],
    ['a two-letter currency', { price: { amount: 1999, currency: 'US' } }, 'input.price.currency'],
    ['a four-letter currency', { price: { amount: 1999, currency: 'EURO' } }, 'input.price.currency'],
    ['an unknown category', { categoryId: randomUUID() }, 'input.categoryId'],
    ['a category id that is not an id', { categoryId: 'kitchen' }, 'input.categoryId'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, overrides, field) => {
    const result = await refusedCreate(validInput(overrides));
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe(field);
    expect(result.errors![0]!.message).toContain(field);
  });

  it('refuses a fractional price before it reaches the catalog, the same way every time', async () => {
    const codes = new Set<string | undefined>();
    for (let i = 0; i < 2; i += 1) {
      const result = await refusedCreate(validInput({ price: { amount: 19.99, currency: 'USD' } }));
      codes.add(codeOf(result));
      expect(result.errors![0]!.message).toMatch(/amount/);
    }
    expect(codes.size).toBe(1);
    expect(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain([...codes][0]);
  });

  it('refuses a second product with the same sku with CONFLICT and keeps the first', async () => {
    const sku = uniqueSku('DUP');
    const first = await createProduct(validInput({ sku, name: 'First of its sku' }));
    expect(first.errors).toBeUndefined();
    const result = await refusedCreate(validInput({ sku, name: 'Second of its sku' }));
    expect(codeOf(result)).toBe('CONFLICT');
    expect(result.errors![0]!.extensions!.field).toBe('input.sku');
    const rows = await sg.sql<{ name: string }>('catalog', `SELECT "name" FROM "catalog"."Product" WHERE "sku" = $1`, sku);
    expect(rows).toEqual([{ name: 'First of its sku' }]);
  });

  it('accepts the same input once it is valid, so the refusals above are about the input', async () => {
    const before = await productCount();
    const result = await createProduct(validInput());
    expect(result.errors).toBeUndefined();
    expect(await productCount()).toBe(before + 1);
  });
});

describe('adjustStock refuses bad input and changes nothing', () => {
  /** A fresh product of our own with a known stock, so tests never depend on each other. */
  async function productWithStock(available: number): Promise<string> {
    const created = await createProduct(validInput({ sku: uniqueSku('STK') }));
    const id = created.data!.createProduct.id as string;
    await sg.settle();
    const token = await sg.client.tokenFor('admin@acme.test');
    const stocked = await sg.client.request<any>(contract.dashboard, { productId: id, delta: available, reason: 'initial' }, { token, operationName: 'AdjustStock' });
    expect(stocked.errors).toBeUndefined();
    return id;
  }

  const state = async (productId: string) => ({
    level: await sg.sql('inventory', `SELECT "available", "reserved" FROM "inventory"."StockItem" WHERE "productId" = $1::uuid`, productId),
    ledger: (await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement" WHERE "productId" = $1::uuid`, productId))[0]!.n,
    outbox: (await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."OutboxEvent"`))[0]!.n,
  });

  async function adjust(productId: string, delta: number, reason: string): Promise<GraphQLResponse<any>> {
    const token = await sg.client.tokenFor('admin@acme.test');
    return sg.client.request<any>(contract.dashboard, { productId, delta, reason }, { token, operationName: 'AdjustStock' });
  }

  it('refuses a delta that would take stock below zero with INSUFFICIENT_STOCK', async () => {
    const id = await productWithStock(3);
    const before = await state(id);
    const result = await adjust(id, -4, 'too many');
    expect(codeOf(result)).toBe('INSUFFICIENT_STOCK');
    expect(result.errors![0]!.extensions).toMatchObject({ available: 3, delta: -4 });
    expect(result.data?.adjustStock ?? null).toBeNull();
    expect(await state(id)).toEqual(before);
    expect(before.level).toEqual([{ available: 3, reserved: 0 }]);
  });

  it('takes stock down to exactly zero', async () => {
    const id = await productWithStock(3);
    const result = await adjust(id, -3, 'sold out');
    expect(result.errors).toBeUndefined();
    expect(result.data.adjustStock.available).toBe(0);
  });

  it.each([
    ['a zero delta', { delta: 0 }, 'delta'],
    ['an empty reason', { reason: '' }, 'reason'],
    ['a whitespace reason', { reason: '   ' }, 'reason'],
    ['a delta beyond a million', { delta: 1_000_001 }, 'delta'],
  ])('refuses %s with BAD_USER_INPUT', async (_label, overrides, field) => {
    const id = await productWithStock(5);
    const before = await state(id);
    const args = { delta: 1, reason: 'ok', ...overrides };
    const result = await adjust(id, args.delta, args.reason);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe(field);
    expect(await state(id)).toEqual(before);
  });

  it('refuses a product id that is not an id with BAD_USER_INPUT', async () => {
    const ledger = (await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement"`))[0]!.n;
    const result = await adjust('not-a-uuid', 1, 'why not');
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('productId');
    expect((await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement"`))[0]!.n).toBe(ledger);
  });

  it('refuses an unknown product with NOT_FOUND', async () => {
    const ledger = (await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement"`))[0]!.n;
    const result = await adjust(randomUUID(), 1, 'ghost');
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect((await sg.sql<{ n: number }>('inventory', `SELECT count(*)::int AS n FROM "inventory"."StockMovement"`))[0]!.n).toBe(ledger);
  });
});

describe('pagination and list arguments', () => {
  const PRODUCTS = 'query($first: Int!, $after: String) { products(first: $first, after: $after) { totalCount edges { node { id } } } }';

  it.each([0, 101, -1])('refuses first: %i with BAD_USER_INPUT', async (first) => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const result = await sg.client.request<any>(PRODUCTS, { first }, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('first');
    expect(result.data?.products ?? null).toBeNull();
  });

  it('accepts first: 100, the largest page', async () => {
    const result = await sg.client.as<any>('alice@acme.test', PRODUCTS, { first: 100 });
    expect(result.products.edges).toHaveLength(100);
  });

  it.each(['garbage', 'eyJub3QiOiJhIGN1cnNvciJ9', Buffer.from('["a"]').toString('base64url'), Buffer.from('[{},1]').toString('base64url')])(
    'refuses the cursor %s with BAD_USER_INPUT',
    async (after) => {
      const token = await sg.client.tokenFor('alice@acme.test');
      const result = await sg.client.request<any>(PRODUCTS, { first: 5, after }, { token });
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0]!.extensions!.field).toBe('after');
    },
  );

  it('refuses a garbage cursor on the orders of a user', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const result = await sg.client.request<any>('query($after: String) { me { orders(first: 5, after: $after) { totalCount } } }', { after: 'garbage' }, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });

  it('refuses a search longer than 200 characters with BAD_USER_INPUT', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const result = await sg.client.request<any>(contract.storefront, { first: 5, search: 'a'.repeat(201) }, { token, operationName: 'Catalog' });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('search');
  });

  it('refuses a category filter that is not an id with BAD_USER_INPUT', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const result = await sg.client.request<any>('{ products(first: 5, categoryId: "kitchen") { totalCount } }', {}, { token });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('categoryId');
  });

  it('refuses a negative low-stock threshold with BAD_USER_INPUT', async () => {
    const token = await sg.client.tokenFor('admin@acme.test');
    const result = await sg.client.request<any>(contract.dashboard, { threshold: -1 }, { token, operationName: 'LowStock' });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.field).toBe('threshold');
    expect(result.data?.lowStock ?? null).toBeNull();
  });
});

describe('search strings that look like SQL or patterns', () => {
  beforeAll(async () => {
    // Products whose text holds the pattern characters themselves, so a literal match has something to find.
    for (const name of ['100% Wool Scarf', '1000 Wool Scarf', 'Snake_Case Mug', 'Back\\slash Poster']) {
      const created = await createProduct(validInput({ name }));
      expect(created.errors).toBeUndefined();
    }
  });

  it('finds the product whose name holds a literal % or _, and not its look-alikes', async () => {
    const percent = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 20, search: '100%' }, 'Catalog');
    expect(percent.products.edges.map((e: any) => e.node.name)).toEqual(['100% Wool Scarf']);
    const underscore = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 20, search: 'snake_case' }, 'Catalog');
    expect(underscore.products.edges.map((e: any) => e.node.name)).toEqual(['Snake_Case Mug']);
  });

  it.each([`'; DROP TABLE "catalog"."Product"; --`, '%', '_', '\\', `' OR 1=1 --`, '%_%', '100%', 'e_c', 'k\\s'])(
    'treats %s as plain text: a normal result, no error, nothing changed',
    async (search) => {
      const before = await productCount();
      // What a plain-text, case-insensitive match over name, sku and description finds.
      const expected = await count(
        'catalog',
        `SELECT count(*)::int AS n FROM "catalog"."Product" WHERE "tenantId" = $1::uuid
           AND (strpos(lower("name"), lower($2)) > 0 OR strpos(lower("sku"), lower($2)) > 0 OR strpos(lower("description"), lower($2)) > 0)`,
        acme.id,
        search.trim(),
      );
      const result = await sg.client.as<any>('alice@acme.test', contract.storefront, { first: 20, search }, 'Catalog');
      expect(result.products.totalCount).toBe(expected);
      expect(result.products.edges.length).toBe(Math.min(expected, 20));
      expect(await productCount()).toBe(before);
    },
  );
});

describe('malformed requests', () => {
  it('answers a body that is not JSON with HTTP 400 and BAD_REQUEST', async () => {
    const response = await fetch(sg.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ __typename }"' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers a 3 MB body with HTTP 413', async () => {
    const token = await sg.client.tokenFor('alice@acme.test');
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(3 * 1024 * 1024) } });
    const response = await fetch(sg.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect(response.status).toBe(413);
    const json = (await response.json()) as any;
    expect(json.errors[0].extensions.code).toEqual(expect.any(String));
  });
});
