// Every string input of the schema, fed bad characters by a generator (tests/harness/input-generator.ts):
// NUL, lone surrogates, control characters, line breaks where a field is one line, too many
// characters. Each is refused before anything runs with BAD_USER_INPUT, HTTP 400 and the exact path
// of the string; nothing is written; no answer carries SQL, Prisma text or a file path. In
// development (any operation) and in production (the trusted documents' operations).
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { buildClientSchema, getIntrospectionQuery, Kind, parse, typeFromAST, visit, type GraphQLInputType, type GraphQLSchema, type IntrospectionQuery, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptSecurityFeatures } from '../../gateway/src/auth/schema-policies.js';
import { BAD_STRINGS, sampleValue, setAt, stringInputs, stringLeaves, type StringInput } from '../harness/input-generator.js';
import { asGateway, databaseFingerprint, expectNoDatabaseChange, productionEnv, rawPost, type RawResponse } from '../harness/hostile.js';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { LiveClient } from '../harness/live-client.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

/** What an error must never carry, in any mode. */
const LEAKS = /prisma|invocation|postgres|SELECT |INSERT |UPDATE |invalid byte sequence|unsupported Unicode|\/work\/|node_modules|\.ts:\d+|\bat \w+ \(/i;

function expectRefusedAt(out: RawResponse, field: string, context: string): void {
  expect(out.status, context).toBe(400);
  expect(out.body?.data ?? null, context).toBeNull();
  expect(out.body?.errors?.[0]?.extensions?.code, `${context}: ${out.text.slice(0, 300)}`).toBe('BAD_USER_INPUT');
  expect(out.body?.errors?.[0]?.extensions?.field, context).toBe(field);
  expect(out.text, context).not.toMatch(LEAKS);
}

const cases = (inputs: StringInput[]) => inputs.flatMap((input) => BAD_STRINGS.filter((bad) => bad.applies(input)).map((bad) => ({ input, bad })));

describe('every string input, in development', () => {
  let sg: TestSupergraph;
  let schema: GraphQLSchema;
  let token: string;

  beforeAll(async () => {
    sg = await startTestSupergraph({ NODE_ENV: 'development', RATE_LIMIT_USER: 'off', RATE_LIMIT_TENANT: 'off', RATE_LIMIT_ANONYMOUS: 'off', RATE_LIMIT_LOGIN_ADDRESS: 'off', RATE_LIMIT_LOGIN_ACCOUNT: 'off' });
    token = await sg.client.tokenFor('admin@acme.test');
    const introspection = await sg.client.request<IntrospectionQuery>(getIntrospectionQuery(), {}, { token });
    schema = buildClientSchema(introspection.data!);
  });
  afterAll(async () => {
    await sg?.stop();
  });

  it('finds the string inputs of every operation, nested input fields included', () => {
    const labels = stringInputs(schema).map((input) => input.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'Mutation.login(tenant)',
        'Mutation.login(password)',
        'Mutation.createProduct(input.description)',
        'Mutation.createProduct(input.price.currency)',
        'Mutation.placeOrder(input.items[0].productId)',
        'Mutation.placeOrder(input.idempotencyKey)',
        'Mutation.adjustStock(reason)',
        'Query.products(search)',
        'User.orders(after)',
      ]),
    );
  });

  it('refuses each bad string in each input with BAD_USER_INPUT at its path, and nothing changes', async () => {
    const before = await databaseFingerprint(sg);
    const all = cases(stringInputs(schema));
    expect(all.length).toBeGreaterThan(100);
    for (const { input, bad } of all) {
      const out = await rawPost(sg.gateway.url, JSON.stringify({ query: input.operation, variables: input.variables(bad.value) }), { authorization: `Bearer ${token}` });
      expectRefusedAt(out, input.field, `${input.label} with ${bad.label}`);
    }
    expect(await databaseFingerprint(sg)).toEqual(before);
  });

  it('refuses a NUL written into the document itself, and in the tenant of a login without a token', async () => {
    const literal = await rawPost(sg.gateway.url, JSON.stringify({ query: 'mutation { login(tenant: "ac\\u0000me", email: "a@b.c", password: "p") { token } }' }));
    expectRefusedAt(literal, 'tenant', 'NUL in a literal');
    const nested = await rawPost(
      sg.gateway.url,
      JSON.stringify({ query: 'mutation($d: String!) { createProduct(input: { sku: "S-1", name: "N", description: $d, price: { amount: 1, currency: "USD" }, categoryId: "00000000-0000-4000-8000-000000000000" }) { id } }', variables: { d: 'x\u0000' } }),
      { authorization: `Bearer ${token}` },
    );
    expectRefusedAt(nested, 'input.description', 'NUL in a variable inside a literal object');
  });

  it('is checked again by the subgraph: a NUL sent straight to catalog with a real gateway credential is BAD_USER_INPUT', async () => {
    const admin = { userId: DEMO_TENANTS[0]!.users.find((u) => u.role === 'ADMIN')!.id, tenantId: DEMO_TENANTS[0]!.id, role: 'ADMIN' as const };
    const out = await expectNoDatabaseChange(sg, () => asGateway(sg, 'catalog', admin, 'query($s: String) { products(first: 1, search: $s) { totalCount } }', { s: 'mug\u0000' }));
    expect(out.body?.data ?? null).toBeNull();
    expect(out.body?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
    expect(out.text).not.toMatch(LEAKS);
  });

  it('refuses a bad string in a subscription over graphql-ws the same way, and the socket stays', async () => {
    const live = await LiveClient.connect(sg.gateway.url, token);
    try {
      const refused = live.subscribe('subscription($ids: [ID!]) { stockChanged(productIds: $ids) { available } }', { ids: ['00000000-0000-4000-8000-000000000000', 'x\u0000'] });
      const [error] = await refused.refusal();
      expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'productIds[1]' });
      expect(live.closeCode).toBeUndefined();
    } finally {
      await live.dispose();
    }
  });

  it('lets tabs and line breaks through in free text, so the check is about the characters', async () => {
    const out = await rawPost(
      sg.gateway.url,
      JSON.stringify({
        query: 'mutation($input: CreateProductInput!) { createProduct(input: $input) { description } }',
        variables: { input: { sku: `FREE-${Date.now()}`, name: 'Lamp', description: 'Line one\n\tLine two', price: { amount: 100, currency: 'USD' }, categoryId: await firstCategory() } },
      }),
      { authorization: `Bearer ${token}` },
    );
    expect(out.body?.errors).toBeUndefined();
    expect(out.body?.data?.createProduct?.description).toBe('Line one\n\tLine two');
  });

  async function firstCategory(): Promise<string> {
    const [row] = await sg.sql<{ id: string }>('catalog', `SELECT c."id" FROM "catalog"."Category" c JOIN "catalog"."Product" p ON p."categoryId" = c."id" LIMIT 1`);
    return row!.id;
  }
});

describe('every string input of the trusted documents, in production', () => {
  let sg: TestSupergraph;
  let token: string;
  let manifest: { id: string; name: string; body: string }[];
  let schema: GraphQLSchema;

  beforeAll(async () => {
    sg = await startTestSupergraph({ ...(await productionEnv()), RATE_LIMIT_USER: 'off', RATE_LIMIT_TENANT: 'off', RATE_LIMIT_ANONYMOUS: 'off', RATE_LIMIT_LOGIN_ADDRESS: 'off', RATE_LIMIT_LOGIN_ACCOUNT: 'off' });
    manifest = (JSON.parse(readFileSync(sg.gatewayConfig.edge.trustedDocuments.manifestPath, 'utf8')) as { operations: { id: string; name: string; body: string }[] }).operations;
    const signIn = manifest.find((op) => op.name === 'SignIn')!;
    const login = await rawPost(sg.gateway.url, JSON.stringify({ variables: { tenant: 'acme', email: 'admin@acme.test', password: 'demo-password' }, extensions: { persistedQuery: { version: 1, sha256Hash: signIn.id } } }));
    token = login.body!.data.login.token;
    // the API schema as the supergraph file defines it (introspection is off in production)
    schema = Supergraph.build(acceptSecurityFeatures(readFileSync(sg.gatewayConfig.supergraphPath, 'utf8'))).apiSchema().toGraphQLJSSchema();
  });
  afterAll(async () => {
    await sg?.stop();
  });

  it('refuses each bad string in every string variable of every manifest operation, by id, with its path', async () => {
    const before = await databaseFingerprint(sg);
    let probes = 0;
    for (const op of manifest) {
      const definition = parse(op.body).definitions[0] as OperationDefinitionNode;
      if (definition.operation === 'subscription') continue;
      const types = Object.fromEntries((definition.variableDefinitions ?? []).map((v) => [v.variable.name.value, typeFromAST(schema, v.type as never) as GraphQLInputType]));
      const base = Object.fromEntries(Object.entries(types).map(([name, type]) => [name, sampleValue(type)]));
      for (const [name, type] of Object.entries(types)) {
        const argument = argumentOf(definition, name);
        for (const leaf of stringLeaves(type, argument)) {
          const freeText = /(^|\.)(description|reason)$/.test(leaf.path);
          for (const bad of BAD_STRINGS.filter((b) => b.label !== 'a line break in a one-line field' || !freeText)) {
            const variables = { ...base, [name]: setAt(base[name], leaf.steps, bad.value) };
            const out = await rawPost(sg.gateway.url, JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: op.id } } }), { authorization: `Bearer ${token}` });
            expectRefusedAt(out, leaf.path, `${op.name} $${name} at ${leaf.path} with ${bad.label}`);
            probes += 1;
          }
        }
      }
    }
    expect(probes).toBeGreaterThan(50);
    expect(await databaseFingerprint(sg)).toEqual(before);
  });
});

/** `$input` used as `placeOrder(input: $input)`: the refusal names the argument, `input.items[0].productId`. */
function argumentOf(definition: OperationDefinitionNode, variable: string): string {
  let found = variable;
  visit(definition, {
    Argument(node) {
      if (node.value.kind === Kind.VARIABLE && node.value.name.value === variable) found = node.name.value;
    },
  });
  return found;
}
