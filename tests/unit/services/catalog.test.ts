import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation } from '#platform/db';
import type { CatalogData } from '../../../subgraphs/catalog/src/context.js';
import type { CatalogServices } from '../../../subgraphs/catalog/src/services/index.js';
import type { CreateProductInput } from '../../../subgraphs/catalog/src/services/product.service.js';
import { refusalOf } from '../../harness/errors.js';
import { ACME, GLOBEX, identityOf, serviceHarness, type ServiceHarness } from '../../harness/services.js';

let catalog: ServiceHarness<CatalogData, CatalogServices>;
const alice = identityOf(ACME, 'CUSTOMER');
const acmeAdmin = identityOf(ACME, 'ADMIN');
const globexAdmin = identityOf(GLOBEX, 'ADMIN');
const books = ACME.categories.find((c) => c.name === 'Books')!;
const kitchen = ACME.categories.find((c) => c.name === 'Kitchen')!;
const office = ACME.categories.find((c) => c.name === 'Office')!;
const mug = ACME.products.find((p) => p.name === 'Blue Mug')!;

beforeAll(async () => {
  catalog = await serviceHarness<CatalogData, CatalogServices>('catalog');
});

afterAll(async () => {
  await catalog.close();
});

const validInput = (overrides: Partial<CreateProductInput> = {}): CreateProductInput => ({
  sku: `T-${randomUUID().slice(0, 8)}`,
  name: 'Field Notes',
  description: 'Pocket notebooks.',
  price: { amount: 1250, currency: 'USD' },
  categoryId: books.id,
  ...overrides,
});
const create = (input: CreateProductInput, identity = acmeAdmin) => catalog.services.products.create(catalog.as(identity), input);
const written = async () => {
  const [row] = await catalog.sql<{ products: number; events: number }>(
    `SELECT (SELECT count(*)::int FROM "catalog"."Product") AS "products", (SELECT count(*)::int FROM "catalog"."OutboxEvent") AS "events"`,
  );
  return row!;
};
const names = (connection: { edges: { node: { name: string } }[] }) => connection.edges.map((e) => e.node.name);

describe('ProductService.create', () => {
  it('files the product, trimmed, and announces it with what orders and inventory need to know', async () => {
    const product = await create(validInput({ sku: '  FN-POCKET-3 ', name: '  Field Notes, 3-pack ', description: '  Three notebooks.  ' }));
    expect(product).toMatchObject({
      tenantId: ACME.id, sku: 'FN-POCKET-3', name: 'Field Notes, 3-pack', description: 'Three notebooks.', priceAmount: 1250, priceCurrency: 'USD', categoryId: books.id,
    });
    const events = (await catalog.outbox('catalog.product.created')).filter((e) => e.aggregateId === product.id);
    // Orders keeps a price list (id, name, price); inventory opens a stock record (id).
    expect(events).toEqual([
      { type: 'catalog.product.created', aggregateId: product.id, tenantId: ACME.id, payload: { productId: product.id, sku: 'FN-POCKET-3', name: 'Field Notes, 3-pack', price: { amount: 1250, currency: 'USD' } } },
    ]);
  });

  it('refuses every bad field with BAD_USER_INPUT naming its path, and writes nothing', async () => {
    const cases: [Partial<CreateProductInput>, string][] = [
      [{ sku: ' ' }, 'input.sku'],
      [{ sku: 'HAS SPACE' }, 'input.sku'],
      [{ sku: '-LEADING-DASH' }, 'input.sku'],
      [{ sku: 'S'.repeat(65) }, 'input.sku'],
      [{ name: '' }, 'input.name'],
      [{ name: 'n'.repeat(201) }, 'input.name'],
      [{ name: 'Nul\u0000Name' }, 'input.name'],
      [{ description: 'd'.repeat(5001) }, 'input.description'],
      [{ price: { amount: -1, currency: 'USD' } }, 'input.price.amount'],
      [{ price: { amount: 19.99, currency: 'USD' } }, 'input.price.amount'],
      [{ price: { amount: 1999, currency: 'usd' } }, 'input.price.currency'],
      [{ price: { amount: 1999, currency: 'ZZZ' } }, 'input.price.currency'],
      [{ price: { amount: 1999, currency: 'EUR' } }, 'input.price.currency'],
      [{ categoryId: 'books' }, 'input.categoryId'],
      [{ categoryId: randomUUID() }, 'input.categoryId'],
      [{ categoryId: GLOBEX.categories[0]!.id }, 'input.categoryId'],
    ];
    const before = await written();
    for (const [overrides, field] of cases) {
      const refusal = await refusalOf(create(validInput(overrides)));
      expect([refusal.code, refusal.field], JSON.stringify(overrides).slice(0, 80)).toEqual(['BAD_USER_INPUT', field]);
    }
    expect(await written()).toEqual(before);
  });

  it('refuses a NUL character in the description as bad input instead of failing in the database', async () => {
    const before = await written();
    expect(await refusalOf(create(validInput({ description: 'nul\u0000byte' })))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.description' });
    expect(await written()).toEqual(before);
  });

  it('lets only admins create products', async () => {
    const before = await written();
    expect(await refusalOf(create(validInput(), alice))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusalOf(catalog.services.products.create(catalog.as(null), validInput()))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await written()).toEqual(before);
  });

  it('refuses a sku the tenant already has with CONFLICT on input.sku and keeps the first product', async () => {
    const first = await create(validInput({ sku: 'DUP-1', name: 'First of its sku' }));
    const before = await written();
    expect(await refusalOf(create(validInput({ sku: 'DUP-1', name: 'Second of its sku' })))).toMatchObject({ code: 'CONFLICT', field: 'input.sku' });
    expect(await written()).toEqual(before);
    expect(await catalog.sql(`SELECT "id" FROM "catalog"."Product" WHERE "sku" = 'DUP-1'`)).toEqual([{ id: first.id }]);
  });

  it("allows a sku another tenant already uses: skus are unique within a tenant", async () => {
    await create(validInput({ sku: 'SHARED-SKU' }));
    const product = await create(validInput({ sku: 'SHARED-SKU', categoryId: GLOBEX.categories[0]!.id, price: { amount: 1250, currency: 'EUR' } }), globexAdmin);
    expect(product).toMatchObject({ sku: 'SHARED-SKU', tenantId: GLOBEX.id });
  });

  it('creates one product when two creates of one sku race; the other is told CONFLICT', async () => {
    const results = await Promise.allSettled([create(validInput({ sku: 'RACE-1' })), create(validInput({ sku: 'RACE-1' }))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(lost.reason).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.sku' } });
    expect(await catalog.sql(`SELECT "id" FROM "catalog"."Product" WHERE "sku" = 'RACE-1'`)).toHaveLength(1);
    expect((await catalog.outbox('catalog.product.created')).filter((e) => e.payload.sku === 'RACE-1')).toHaveLength(1);
  });

  it("reports the unique index's refusal of a duplicate sku as UniqueViolation, which create turns into CONFLICT", async () => {
    // What decides a race on PostgreSQL, where both creates can pass the check before either inserts.
    const repo = catalog.as(acmeAdmin).repos.products;
    const refused = repo.create({ sku: mug.sku, name: 'Twin', description: '', priceAmount: 1, priceCurrency: 'USD', categoryId: kitchen.id });
    await expect(refused).rejects.toBeInstanceOf(UniqueViolation);
  });
});

describe('ProductService.list', () => {
  beforeAll(async () => {
    // Names holding the pattern characters themselves, and look-alikes a pattern would also match.
    for (const name of ['100% Wool Scarf', '1000 Wool Scarf', 'Snake_Case Mug', 'SnakeXCase Mug', 'Back\\slash Poster', 'Backslash Poster']) {
      await create(validInput({ name, categoryId: office.id }));
    }
  });

  it('treats %, _ and \\ in a search as the characters themselves', async () => {
    const search = async (text: string) => names(await catalog.services.products.list(catalog.as(alice), { first: 50, search: text }));
    expect(await search('100%')).toEqual(['100% Wool Scarf']);
    expect(await search('%')).toEqual(['100% Wool Scarf']);
    expect(await search('snake_case')).toEqual(['Snake_Case Mug']);
    expect(await search('k\\s')).toEqual(['Back\\slash Poster']);
  });

  it('matches name, sku and description case-insensitively, within the tenant only', async () => {
    const byName = await catalog.services.products.list(catalog.as(alice), { search: 'blue MUG' });
    expect(names(byName)).toEqual(['Blue Mug']);
    const bySku = await catalog.services.products.list(catalog.as(alice), { search: mug.sku.toLowerCase() });
    expect(names(bySku)).toEqual(['Blue Mug']);
    const fromGlobex = await catalog.services.products.list(catalog.as(globexAdmin), { search: 'wool scarf' });
    expect(fromGlobex.totalCount).toBe(0);
  });

  it("pages through a category by name with cursors: every product once, and the count of all of them", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await catalog.services.products.list(catalog.as(alice), { first: 7, after, categoryId: kitchen.id });
      expect(page.totalCount).toBe(20);
      seen.push(...names(page));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    const expected = ACME.products.filter((p) => p.categoryId === kitchen.id).map((p) => p.name);
    expect(seen).toEqual([...expected].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('refuses a long or NUL search, a category id that is not an id, a foreign cursor and a page size out of range, naming the argument', async () => {
    const fieldOf = async (args: Parameters<CatalogServices['products']['list']>[1]) => {
      const refusal = await refusalOf(catalog.services.products.list(catalog.as(alice), args));
      return [refusal.code, refusal.field];
    };
    expect(await fieldOf({ search: 's'.repeat(201) })).toEqual(['BAD_USER_INPUT', 'search']);
    expect(await fieldOf({ search: 'a\u0000' })).toEqual(['BAD_USER_INPUT', 'search']);
    expect(await fieldOf({ categoryId: 'kitchen' })).toEqual(['BAD_USER_INPUT', 'categoryId']);
    expect(await fieldOf({ after: Buffer.from('["only one key"]').toString('base64url') })).toEqual(['BAD_USER_INPUT', 'after']);
    expect(await fieldOf({ first: 0 })).toEqual(['BAD_USER_INPUT', 'first']);
  });
});

describe('ProductService.get', () => {
  it("finds a product of the caller's tenant, and nothing for another tenant's id or a string that is no id", async () => {
    expect(await catalog.services.products.get(catalog.as(alice), mug.id.toUpperCase())).toMatchObject({ id: mug.id, name: 'Blue Mug' });
    expect(await catalog.services.products.get(catalog.as(globexAdmin), mug.id)).toBeNull();
    expect(await catalog.services.products.get(catalog.as(alice), 'blue-mug')).toBeNull();
    expect(await catalog.services.products.category(catalog.as(alice), { categoryId: mug.categoryId })).toMatchObject({ id: kitchen.id, name: 'Kitchen' });
  });
});

describe('CategoryService', () => {
  it("lists the tenant's categories by name, and resolves no other tenant's", async () => {
    const all = await catalog.services.categories.all(catalog.as(alice));
    expect(all.map((c) => c.name)).toEqual(['Apparel', 'Books', 'Electronics', 'Kitchen', 'Office', 'Outdoor']);
    expect(all.every((c) => c.tenantId === ACME.id)).toBe(true);
    expect(await catalog.services.categories.byReference(catalog.as(alice), kitchen.id)).toMatchObject({ slug: 'kitchen' });
    expect(await catalog.services.categories.byReference(catalog.as(globexAdmin), kitchen.id)).toBeNull();
    expect(await catalog.services.categories.byReference(catalog.as(alice), 'kitchen')).toBeNull();
  });

  it('gives each category its own first page when many are asked for at once, as the product list would', async () => {
    const ctx = catalog.as(alice);
    const categories = await catalog.services.categories.all(ctx);
    const pages = await Promise.all(categories.map((c) => catalog.services.categories.productsOf(ctx, c, 5, null)));
    for (const [i, category] of categories.entries()) {
      const expected = await catalog.services.products.list(catalog.as(alice), { first: 5, categoryId: category.id });
      expect(pages[i], category.name).toEqual(expected);
    }
  });

  it('continues a category page from its cursor', async () => {
    const ctx = catalog.as(alice);
    const category = (await catalog.services.categories.byReference(ctx, kitchen.id))!;
    const first = await catalog.services.categories.productsOf(ctx, category, 15, null);
    const rest = await catalog.services.categories.productsOf(ctx, category, 15, first.pageInfo.endCursor);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(rest).toMatchObject({ totalCount: 20, pageInfo: { hasNextPage: false } });
    expect(new Set([...names(first), ...names(rest)]).size).toBe(20);
  });
});
