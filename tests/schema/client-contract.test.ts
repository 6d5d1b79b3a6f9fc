// The client teams' contract (../shared/contract) must be held in schema/operations under the same names.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSchemaCheck } from '../../tools/schema/check.js';
import { composeFromConfig } from '../../tools/schema/compose.js';

const fixture = resolve(import.meta.dirname, 'fixtures/commerce');
const storefront = readFileSync(resolve(fixture, 'schema/operations/contract/storefront.graphql'), 'utf8');
const dirs: string[] = [];

function contractWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function check(contractDir: string | null) {
  return runSchemaCheck({
    root: fixture,
    baseApiSdl: composeFromConfig(resolve(fixture, 'rover-config.yaml')).apiSdl!,
    committedSupergraph: composeFromConfig(resolve(fixture, 'rover-config.yaml')).supergraphSdl!,
    contractDir,
    skipMigrations: true,
  });
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('client contract', () => {
  it('is held when every contract operation is ours under the same name, whatever the layout and comments', async () => {
    const relaidOut = storefront.replace(/#[^\n]*\n/g, '').replace(/\n\s*/g, ' ');
    const report = await check(contractWith({ 'storefront.graphql': relaidOut }));
    expect(report.findings).toEqual([]);
    expect(report.steps.find((s) => s.id === 'operations')?.summary).toContain('8/8 contract operations held');
  });

  it('reports a contract operation missing from ours, and one that differs, as errors', async () => {
    const report = await check(
      contractWith({
        'storefront.graphql': storefront.replace('cancelOrder(id: $id) { id status statusReason }', 'cancelOrder(id: $id) { id status }'),
        'wishlist.graphql': 'query Wishlist { me { id } }',
      }),
    );
    expect(report.ok).toBe(false);
    const problems = report.findings.map((f) => [f.code, f.operations]);
    expect(problems).toEqual([
      ['CONTRACT_OPERATION_DIFFERS', ['CancelOrder']],
      ['CONTRACT_OPERATION_MISSING', ['Wishlist']],
    ]);
    const differs = report.findings[0]!;
    expect(differs.message).toContain('contract/storefront.graphql');
    expect(differs.details?.join('\n')).toMatch(/contract: .*\n.*ours: .*statusReason/);
  });

  it('is skipped, saying so, when there is no contract folder', async () => {
    const report = await check(join(tmpdir(), 'no-such-contract-folder'));
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.severity, f.code])).toEqual([['info', 'CONTRACT_ABSENT']]);
  });
});
