// Scenarios of `npm run schema:check`: each applies one small change to a frozen copy of the subgraph
// SDLs (tests/schema/fixtures/commerce) and runs the check in-process against the unchanged copy as base.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSchemaCheck, type SchemaCheckOptions } from '../../tools/schema/check.js';
import { composeFromConfig } from '../../tools/schema/compose.js';
import type { Finding, SchemaCheckReport } from '../../tools/schema/report.js';

const fixture = resolve(import.meta.dirname, 'fixtures/commerce');
const SUBGRAPHS = ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'] as const;
type Subgraph = (typeof SUBGRAPHS)[number];

const baseSdls = Object.fromEntries(
  SUBGRAPHS.map((name) => [name, readFileSync(resolve(fixture, 'subgraphs', name, 'schema.graphql'), 'utf8')]),
) as Record<Subgraph, string>;
let freshSupergraph = '';

beforeAll(() => {
  const outcome = composeFromConfig(resolve(fixture, 'rover-config.yaml'));
  expect(outcome.errors).toEqual([]);
  freshSupergraph = outcome.supergraphSdl!;
});

/** Replaces `from` by `to` in one subgraph's SDL; fails loudly when the fixture no longer has `from`. */
function edit(subgraph: Subgraph, from: string, to: string): Record<string, string> {
  const sdl = baseSdls[subgraph];
  if (!sdl.includes(from)) throw new Error(`fixture ${subgraph} has no ${JSON.stringify(from)}`);
  return { [subgraph]: sdl.replace(from, to) };
}

/**
 * Runs the check on the fixture. Unless a scenario says otherwise, the committed supergraph is what
 * `npm run schema:compose` would write for the changed SDLs, as a developer would have it.
 */
function check(options: Partial<SchemaCheckOptions> = {}): Promise<SchemaCheckReport> {
  const composed = options.sdlOverrides ? composeFromConfig(resolve(fixture, 'rover-config.yaml'), options.sdlOverrides).supergraphSdl : undefined;
  return runSchemaCheck({
    root: fixture,
    baseSdls,
    baseLabel: 'the fixture',
    committedSupergraph: composed ?? freshSupergraph,
    contractDir: null,
    skipMigrations: true,
    ...options,
  });
}

const errors = (r: SchemaCheckReport) => r.findings.filter((f) => f.severity === 'error');
const warnings = (r: SchemaCheckReport) => r.findings.filter((f) => f.severity === 'warning');
const byCode = (r: SchemaCheckReport, code: string): Finding[] => r.findings.filter((f) => f.code === code);

describe('schema check', () => {
  it('passes the unchanged fixture with no changes and every step green', async () => {
    const report = await check();
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ['composition', 'passed'],
      ['drift', 'passed'],
      ['changes', 'passed'],
      ['operations', 'passed'],
      ['lint', 'passed'],
      ['migrations', 'skipped'],
    ]);
    expect(report.operations.map((o) => o.name)).toContain('Catalog');
  });

  it('fails when a field an operation uses is removed, naming the coordinate and the operations', async () => {
    const report = await check({
      sdlOverrides: edit('catalog', '  "Stock keeping unit, unique within the tenant."\n  sku: String!\n  "Display name."', '  "Display name."'),
    });
    expect(report.ok).toBe(false);
    const [breaking] = byCode(report, 'BREAKING_CHANGE_USED');
    expect(breaking?.severity).toBe('error');
    expect(breaking?.message).toMatch(/^Product\.sku removed — used by .*Catalog/);
    expect(breaking?.operations).toEqual(expect.arrayContaining(['Catalog', 'LowStock', 'CreateProduct']));
    expect(breaking?.subgraphs).toEqual(['catalog']);
    // The operations themselves no longer validate, with graphql-js's words and where.
    const invalid = byCode(report, 'OPERATION_INVALID').find((f) => f.operations?.includes('Catalog'));
    expect(invalid?.message).toContain('Cannot query field "sku" on type "Product"');
    expect(invalid?.locations?.[0]).toMatch(/^schema\/operations\/contract\/storefront\.graphql:\d+:\d+$/);
  });

  it('warns when a field no operation uses is removed, and fails on it under --strict', async () => {
    const sdlOverrides = edit('payments', '  "The payment provider\'s reference for the charge."\n  providerReference: String\n', '');
    const report = await check({ sdlOverrides });
    expect(report.ok).toBe(true);
    expect(errors(report)).toEqual([]);
    expect(warnings(report)).toHaveLength(1);
    expect(warnings(report)[0]).toMatchObject({
      code: 'BREAKING_CHANGE_UNUSED',
      coordinates: ['Payment.providerReference'],
      subgraphs: ['payments'],
    });
    expect(warnings(report)[0]!.message).toContain('Payment.providerReference removed');

    const strict = await check({ sdlOverrides, strict: true });
    expect(strict.ok).toBe(false);
    expect(errors(strict).map((f) => f.code)).toEqual(['BREAKING_CHANGE_UNUSED']);
  });

  it('passes when an optional field is added, reporting it as a safe change', async () => {
    const report = await check({
      sdlOverrides: edit(
        'catalog',
        '  "When the product was created."\n  createdAt: DateTime!\n',
        '  "When the product was created."\n  createdAt: DateTime!\n  "Shipping weight in grams, when known."\n  weightGrams: Int\n',
      ),
    });
    expect(report.ok).toBe(true);
    expect(errors(report)).toEqual([]);
    expect(warnings(report)).toEqual([]);
    expect(report.changes).toEqual([
      expect.objectContaining({ severity: 'safe', type: 'FIELD_ADDED', coordinate: 'Product.weightGrams', subgraphs: ['catalog'] }),
    ]);
  });

  it('treats a new required argument as breaking for every operation selecting the field', async () => {
    const report = await check({
      sdlOverrides: edit(
        'catalog',
        'products(first: Int! = 20, after: String, search: String, categoryId: ID): ProductConnection! @authenticated',
        'products(first: Int! = 20, after: String, search: String, categoryId: ID, region: String!): ProductConnection! @authenticated',
      ),
    });
    expect(report.ok).toBe(false);
    expect(report.changes).toEqual([
      expect.objectContaining({ severity: 'breaking', type: 'FIELD_ARGUMENT_ADDED', coordinate: 'Query.products(region:)', usedBy: ['Catalog'] }),
    ]);
    expect(byCode(report, 'BREAKING_CHANGE_USED')[0]?.message).toBe(
      'Query.products(region:) added as a required argument (String!) — used by Catalog',
    );
  });

  it('treats a changed field type as breaking, even when the operations still validate', async () => {
    const report = await check({ sdlOverrides: edit('inventory', 'reserved: Int!', 'reserved: String!') });
    expect(report.ok).toBe(false);
    expect(byCode(report, 'OPERATION_INVALID')).toEqual([]);
    const [breaking] = byCode(report, 'BREAKING_CHANGE_USED');
    expect(breaking?.message).toMatch(/^Stock\.reserved type changed from Int! to String! — used by /);
    expect(breaking?.operations).toEqual(expect.arrayContaining(['LowStock', 'AdjustStock', 'LiveStock', 'Product']));
    expect(breaking?.subgraphs).toEqual(['inventory']);
  });

  it('reports a field-sharing conflict as a composition error naming both subgraphs and the field', async () => {
    const report = await check({
      sdlOverrides: edit('inventory', '  "Current stock of the product."', '  "Display name."\n  name: String!\n  "Current stock of the product."'),
    });
    expect(report.ok).toBe(false);
    const [sharing] = byCode(report, 'INVALID_FIELD_SHARING');
    expect(sharing?.step).toBe('composition');
    expect(sharing?.subgraphs?.sort()).toEqual(['catalog', 'inventory']);
    expect(sharing?.coordinates).toEqual(['Product.name']);
    expect(sharing?.locations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^subgraphs\/catalog\/schema\.graphql:\d+:\d+ \(Product\.name\)$/),
        expect.stringMatching(/^subgraphs\/inventory\/schema\.graphql:\d+:\d+ \(Product\.name\)$/),
      ]),
    );
    // Nothing is compared while the supergraph does not compose.
    expect(report.steps.find((s) => s.id === 'drift')?.status).toBe('skipped');
    expect(report.steps.find((s) => s.id === 'changes')?.status).toBe('skipped');
  });

  it('reports a subgraph SDL that does not parse, with its place', async () => {
    const report = await check({ sdlOverrides: edit('shipping', 'carrier: String!', 'carrier: String!!') });
    expect(report.ok).toBe(false);
    const [invalid] = byCode(report, 'INVALID_GRAPHQL');
    expect(invalid?.subgraphs).toEqual(['shipping']);
    expect(invalid?.locations?.[0]).toMatch(/^subgraphs\/shipping\/schema\.graphql:\d+:\d+$/);
  });

  it('fails when the committed supergraph is stale, with the command that fixes it', async () => {
    const stale = freshSupergraph.replace('"""Display name."""', '"""Display name (old)."""');
    expect(stale).not.toBe(freshSupergraph);
    const report = await check({ committedSupergraph: stale });
    expect(report.ok).toBe(false);
    const [drift] = byCode(report, 'SUPERGRAPH_DRIFT');
    expect(drift?.fix).toContain('npm run schema:compose');
    expect(drift?.details?.join('\n')).toContain('Display name (old).');
    expect(report.steps.find((s) => s.id === 'drift')?.status).toBe('failed');
  });

  it('fails an enum value removal only for operations that can send it', async () => {
    // DashboardOrders passes $status: OrderStatus, so it may send CANCELLED.
    const report = await check({ sdlOverrides: edit('orders', '  "Stopped; `statusReason` says why."\n  CANCELLED\n', '') });
    const [breaking] = byCode(report, 'BREAKING_CHANGE_USED');
    expect(breaking?.coordinates).toEqual(['OrderStatus.CANCELLED']);
    expect(breaking?.operations).toEqual(['DashboardOrders']);
  });

  it('fails a new required input field for the operations sending that input, through variables too', async () => {
    const report = await check({
      sdlOverrides: edit('orders', '  idempotencyKey: String!\n', '  idempotencyKey: String!\n  "Where to deliver."\n  addressId: ID!\n'),
    });
    const [breaking] = byCode(report, 'BREAKING_CHANGE_USED');
    expect(breaking?.message).toBe('PlaceOrderInput.addressId added as a required input field (ID!) — used by PlaceOrder');
    expect(breaking?.subgraphs).toEqual(['orders']);
  });

  it('passes composition hints on as warnings, with the subgraphs and coordinate', async () => {
    const report = await check({ sdlOverrides: edit('orders', '"Cursor pagination details."', '"Paging details."') });
    expect(report.ok).toBe(true);
    const [hint] = byCode(report, 'INCONSISTENT_DESCRIPTION');
    expect(hint?.severity).toBe('warning');
    expect(hint?.coordinates).toEqual(['PageInfo']);
    expect(hint?.subgraphs?.sort()).toEqual(['accounts', 'catalog', 'orders']);
  });

  it('fails when a Prisma schema disagrees with its migrations, showing the missing SQL', async () => {
    const report = await check({
      skipMigrations: false,
      checkMigrations: async () => [
        { subgraph: 'catalog', ok: false, missingSql: 'ALTER TABLE "Product" ADD COLUMN "weightGrams" INTEGER;\n' },
        { subgraph: 'orders', ok: true, missingSql: '' },
      ],
    });
    expect(report.ok).toBe(false);
    const [migration] = byCode(report, 'MIGRATIONS_OUT_OF_DATE');
    expect(migration?.message).toBe('prisma/catalog/schema.prisma does not agree with its migrations');
    expect(migration?.details).toContain('  ALTER TABLE "Product" ADD COLUMN "weightGrams" INTEGER;');
    expect(migration?.fix).toContain('npm run db:migration -- catalog');
    expect(report.steps.find((s) => s.id === 'migrations')).toMatchObject({ status: 'failed', summary: '1/2 Prisma schemas out of date' });
  });
});
