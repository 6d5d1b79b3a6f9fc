// Abusive operations and bodies at the gateway: depth, alias, directive, token and cost bombs,
// oversized and malformed bodies, batches, injection-looking input, cross-site requests. Each is
// refused with its own code before any subgraph does any work, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../prisma/demo-data.js';
import { codeOfRaw, expectNoDatabaseChange, rawPost, type RawResponse } from '../harness/hostile.js';
import { startTestSupergraph, type TestSupergraph } from '../harness/supergraph.js';

const acme = DEMO_TENANTS.find((t) => t.slug === 'acme')!;
const SHOP = 'https://shop.example.com';

let sg: TestSupergraph;
let token: string;
beforeAll(async () => {
  // A long relay poll keeps background statements out of the "no subgraph did any work" counts.
  sg = await startTestSupergraph({ OUTBOX_POLL_MS: '60000', CORS_ORIGINS: SHOP });
  token = await sg.client.tokenFor('alice@acme.test');
});
afterAll(async () => {
  await sg?.stop();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  rawPost(sg.gateway.url, typeof body === 'string' ? body : JSON.stringify(body), { authorization: `Bearer ${token}`, ...headers });

/** Sends the request and expects: this HTTP status and code, no data, no statement in any subgraph, no row changed. */
async function expectRefusedEarly(send: () => Promise<RawResponse>, code: string, status = 400): Promise<RawResponse> {
  let before = sg.statements();
  let after = before;
  const response = await expectNoDatabaseChange(sg, async () => {
    before = sg.statements();
    const answer = await send();
    after = sg.statements();
    return answer;
  });
  expect(response.status).toBe(status);
  expect(codeOfRaw(response)).toBe(code);
  expect(response.body?.data ?? null).toBeNull();
  expect(response.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
  expect(Object.keys(after).filter((n) => after[n as keyof typeof after] !== before[n as keyof typeof before])).toEqual([]);
  return response;
}

describe('operation limits', () => {
  it('refuses a depth bomb with DEPTH_LIMIT_EXCEEDED', async () => {
    let selection = 'id';
    for (let i = 0; i < 8; i += 1) selection = `customer { orders(first: 1) { edges { node { id ${selection} } } } }`;
    await expectRefusedEarly(() => post({ query: `{ order(id: "${acme.orders[0]!.id}") { ${selection} } }` }), 'DEPTH_LIMIT_EXCEEDED');
  });

  it('refuses an alias bomb with ALIAS_LIMIT_EXCEEDED', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(' ');
    await expectRefusedEarly(() => post({ query: `{ ${aliases} }` }), 'ALIAS_LIMIT_EXCEEDED');
  });

  it('refuses a directive bomb with DIRECTIVE_LIMIT_EXCEEDED', async () => {
    const directives = Array.from({ length: 50 }, () => '@include(if: true)').join(' ');
    await expectRefusedEarly(() => post({ query: `{ me ${directives} { id } }` }), 'DIRECTIVE_LIMIT_EXCEEDED');
  });

  it('refuses a token bomb with TOKEN_LIMIT_EXCEEDED', async () => {
    await expectRefusedEarly(() => post({ query: `{ me { ${'id '.repeat(5_000)} } }` }), 'TOKEN_LIMIT_EXCEEDED');
  });

  const NESTED = 'query Nested($n: Int!) { products(first: $n) { edges { node { category { products(first: $n) { totalCount } } } } } }';

  it('refuses nested lists whose page sizes come from variables with COST_LIMIT_EXCEEDED', async () => {
    await expectRefusedEarly(() => post({ query: NESTED, variables: { n: 100 } }), 'COST_LIMIT_EXCEEDED');
  });

  it('runs the same document with small pages, so the refusal above is the cost of the variables', async () => {
    const response = await post({ query: NESTED, variables: { n: 1 } });
    expect(response.body?.errors).toBeUndefined();
    expect(response.body?.data.products.edges).toHaveLength(1);
  });

  it('refuses the cost bomb with literal page sizes too', async () => {
    await expectRefusedEarly(() => post({ query: NESTED.replace('query Nested($n: Int!)', 'query').replaceAll('$n', '100') }), 'COST_LIMIT_EXCEEDED');
  });

  it('refuses a fragment cycle as invalid without hanging', async () => {
    const query = '{ me { ...A } } fragment A on User { orders { edges { node { customer { ...B } } } } } fragment B on User { ...A }';
    await expectRefusedEarly(() => post({ query }), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a bomb sent by an anonymous caller the same way', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(' ');
    await expectRefusedEarly(() => rawPost(sg.gateway.url, JSON.stringify({ query: `{ ${aliases} }` })), 'ALIAS_LIMIT_EXCEEDED');
  });
});

describe('bodies', () => {
  it('refuses a 3 MB body with HTTP 413 and PAYLOAD_TOO_LARGE', async () => {
    const query = `{ products(first: 1, search: "${'x'.repeat(3 * 1024 * 1024)}") { totalCount } }`;
    await expectRefusedEarly(() => post({ query }), 'PAYLOAD_TOO_LARGE', 413);
  });

  it('refuses malformed JSON with BAD_REQUEST', async () => {
    await expectRefusedEarly(() => post('{"query": "{ me { id } }", '), 'BAD_REQUEST');
  });

  it('refuses a body without a query with BAD_REQUEST', async () => {
    await expectRefusedEarly(() => post({ variables: { id: 1 } }), 'BAD_REQUEST');
  });

  it('refuses a batch of 11 operations with BATCH_LIMIT_EXCEEDED', async () => {
    await expectRefusedEarly(() => post(Array.from({ length: 11 }, () => ({ query: '{ me { id } }' }))), 'BATCH_LIMIT_EXCEEDED');
  });

  it('answers a batch of 3 operations with 3 results', async () => {
    const response = await post([{ query: '{ me { id } }' }, { query: '{ currentTenant { slug } }' }, { query: '{ categories { id } }' }]);
    expect(response.status).toBe(200);
    const results = response.body as unknown as { data: any }[];
    expect(results).toHaveLength(3);
    expect(results[1]!.data.currentTenant.slug).toBe('acme');
  });

  it('refuses a batch that hides a bomb among harmless operations', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(' ');
    const response = await expectRefusedEarly(() => post([{ query: '{ me { id } }' }, { query: `{ ${aliases} }` }]), 'ALIAS_LIMIT_EXCEEDED');
    expect(Array.isArray(response.body)).toBe(false);
  });
});

describe('injection-looking search strings', () => {
  const SEARCH = 'query Search($search: String!) { products(first: 100, search: $search) { totalCount edges { node { id price { currency } } } } }';
  const literalMatches = async (needle: string) => {
    const [row] = await sg.sql<{ n: number }>(
      'catalog',
      `SELECT count(*)::int AS n FROM "catalog"."Product" WHERE "tenantId" = $1::uuid AND (strpos(lower("name"), lower($2)) > 0 OR strpos(lower("sku"), lower($2)) > 0 OR strpos(lower("description"), lower($2)) > 0)`,
      acme.id,
      needle,
    );
    return row!.n;
  };

  it.each([
    ["a quote that closes the string", "mug' OR '1'='1"],
    ['a comment', 'mug; --'],
    ['a statement', "'; DROP TABLE \"catalog\".\"Product\"; --"],
    ['a LIKE wildcard', '%'],
    ['a single-character wildcard', '_'],
    ['a backslash', '\\'],
    ['a Mongo-style operator', '{"$gt": ""}'],
    ['markup', '<script>alert(1)</script>'],
  ])('treats %s as plain text: only literal matches of the caller\'s tenant, nothing written', async (_label, needle) => {
    const response = await expectNoDatabaseChange(sg, () => post({ query: SEARCH, variables: { search: needle } }));
    expect(response.body?.errors).toBeUndefined();
    expect(response.body?.data.products.totalCount).toBe(await literalMatches(needle));
    for (const edge of response.body?.data.products.edges ?? []) expect(edge.node.price.currency).toBe('USD');
  });

  it('refuses a NUL character in a search with BAD_USER_INPUT instead of failing inside', async () => {
    const response = await expectNoDatabaseChange(sg, () => post({ query: SEARCH, variables: { search: 'mug\u0000' } }));
    expect(codeOfRaw(response)).toBe('BAD_USER_INPUT');
    expect(response.body?.data ?? null).toBeNull();
  });
});

describe('cross-site requests', () => {
  // A GET with an Authorization header always needs a preflight, so it passes (gateway-edge.test.ts).
  it('refuses a GET query without Authorization or a preflight header (CSRF) with BAD_REQUEST', async () => {
    const response = await fetch(`${sg.gateway.url}?query=${encodeURIComponent('{ me { id } }')}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses a text/plain POST, the kind a form can send, with BAD_REQUEST', async () => {
    await expectRefusedEarly(() => post(JSON.stringify({ query: '{ me { id } }' }), { 'content-type': 'text/plain' }), 'BAD_REQUEST');
  });

  it('allows a listed origin through CORS', async () => {
    const response = await fetch(sg.gateway.url, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives any other origin no CORS headers, so browsers refuse it', async () => {
    const preflight = await fetch(sg.gateway.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await post({ query: '{ me { id } }' }, { origin: 'https://evil.example' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers with every answer', async () => {
    const response = await post({ query: '{ me { id } }' });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
