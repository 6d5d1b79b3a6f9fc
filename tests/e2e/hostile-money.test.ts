// Every money input of the schema (found by walking it: each input object with an amount and a
// currency) fed a currency that is not the tenant's, and codes that are no ISO 4217 currency.
// Each is refused with BAD_USER_INPUT at the currency's path, and nothing is written.
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { stringInputs, type StringInput } from '../harness/input-generator.js';
import { expectNoDatabaseChange, rawPost } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const globex = DEMO_TENANTS.find((t) => t.slug === 'globex')!;

let sg: TestSupergraph;
let moneyInputs: StringInput[];

beforeAll(async () => {
  sg = await startTestSupergraph();
  const token = await sg.client.tokenFor('admin@acme.test');
  const schema = buildClientSchema((await sg.client.request<IntrospectionQuery>(getIntrospectionQuery(), {}, { token })).data!);
  moneyInputs = stringInputs(schema).filter((input) => /(^|\.)currency$/.test(input.field));
});
afterAll(async () => {
  await sg?.stop();
});

describe('money in the wrong currency', () => {
  it('finds the money inputs of the schema', () => {
    expect(moneyInputs.map((input) => input.label)).toContain('Mutation.createProduct(input.price.currency)');
  });

  it.each([
    ['acme (USD)', 'admin@acme.test', ['EUR', 'GBP', 'JPY']],
    ['globex (EUR)', 'admin@globex.test', ['USD', 'CHF']],
  ])("refuses every money input of an admin of %s in another tenant's currency", async (_tenant, email, foreign) => {
    const token = await sg.client.tokenFor(email);
    const own = (email.includes('acme') ? acme : globex).currency;
    for (const input of moneyInputs) {
      for (const currency of foreign) {
        const out = await expectNoDatabaseChange(sg, () => rawPost(sg.gateway.url, JSON.stringify({ query: input.operation, variables: input.variables(currency) }), { authorization: `Bearer ${token}` }));
        expect(out.body?.data ?? null).toBeNull();
        expect(out.body?.errors?.[0]?.extensions, `${input.label} = ${currency}`).toMatchObject({ code: 'BAD_USER_INPUT', field: input.field });
        expect(out.body?.errors?.[0]?.message).toBe(`${input.field} must be ${own}, the currency of this shop.`);
      }
    }
  });

  it.each([['ZZZ'], ['XXY'], ['usd'], ['US'], ['EURO'], ['']])('refuses %j as a currency in every money input: not ISO 4217', async (currency) => {
    const token = await sg.client.tokenFor('admin@acme.test');
    for (const input of moneyInputs) {
      const out = await expectNoDatabaseChange(sg, () => rawPost(sg.gateway.url, JSON.stringify({ query: input.operation, variables: input.variables(currency) }), { authorization: `Bearer ${token}` }));
      expect(out.body?.data ?? null).toBeNull();
      expect(out.body?.errors?.[0]?.extensions, `${input.label} = ${currency}`).toMatchObject({ code: 'BAD_USER_INPUT', field: input.field });
    }
  });

  it("accepts the tenant's own currency, so the refusals are about the currency", async () => {
    const token = await sg.client.tokenFor('admin@globex.test');
    const category = globex.categories[0]!.id;
    const out = await rawPost(
      sg.gateway.url,
      JSON.stringify({
        query: 'mutation($input: CreateProductInput!) { createProduct(input: $input) { price { amount currency } } }',
        variables: { input: { sku: `EUR-${Date.now()}`, name: 'Euro Lamp', description: '', price: { amount: 1000, currency: 'EUR' }, categoryId: category } },
      }),
      { authorization: `Bearer ${token}` },
    );
    expect(out.body?.errors).toBeUndefined();
    expect(out.body?.data?.createProduct?.price).toEqual({ amount: 1000, currency: 'EUR' });
  });
});
