// The base of the change check comes from git: a throwaway repository (in the OS temp folder, never
// this one) holds the fixture, commits stand for main and for a branch.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSchemaCheck } from '../../tools/schema/check.js';
import { composeFromConfig } from '../../tools/schema/compose.js';

const fixture = resolve(import.meta.dirname, 'fixtures/commerce');
const repos: string[] = [];

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=schema-check', '-c', 'user.email=schema-check@example.test', '-c', 'commit.gpgsign=false', ...args], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A new repository holding a copy of the fixture, committed once on main. */
function repoWithFixture(): string {
  const repo = mkdtempSync(join(tmpdir(), 'schema-base-'));
  repos.push(repo);
  cpSync(fixture, repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'fixture');
  return repo;
}

function editFile(repo: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(repo, path), 'utf8');
  if (!text.includes(from)) throw new Error(`${path} has no ${JSON.stringify(from)}`);
  writeFileSync(join(repo, path), text.replace(from, to));
}

const REMOVE_SKU: [string, string, string] = [
  'subgraphs/catalog/schema.graphql',
  '  "Stock keeping unit, unique within the tenant."\n  sku: String!\n  "Display name."',
  '  "Display name."',
];

function check(repo: string, baseRef?: string) {
  return runSchemaCheck({
    root: repo,
    ...(baseRef ? { baseRef } : {}),
    committedSupergraph: composeFromConfig(join(repo, 'rover-config.yaml')).supergraphSdl!,
    contractDir: null,
    skipMigrations: true,
  });
}

afterEach(() => {
  for (const repo of repos.splice(0)) rmSync(repo, { recursive: true, force: true });
});

describe('schema check base', () => {
  it('compares uncommitted changes with HEAD when there is no origin/main', async () => {
    const repo = repoWithFixture();
    editFile(repo, ...REMOVE_SKU);
    const report = await check(repo);
    expect(report.base).toMatchObject({ ref: 'HEAD', compared: true });
    expect(report.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.findings.find((f) => f.code === 'BREAKING_CHANGE_USED')?.message).toMatch(/^Product\.sku removed — used by /);
  });

  it('compares a branch with its merge-base with origin/main, committed changes included', async () => {
    const repo = repoWithFixture();
    git(repo, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
    git(repo, 'checkout', '-q', '-b', 'feature');
    editFile(repo, ...REMOVE_SKU);
    git(repo, 'commit', '-q', '-am', 'drop sku');
    const report = await check(repo);
    expect(report.base.label).toMatch(/^merge-base with origin\/main/);
    expect(report.changes.map((c) => c.coordinate)).toEqual(['Product.sku']);
  });

  it('uses the ref given with --base', async () => {
    const repo = repoWithFixture();
    editFile(repo, ...REMOVE_SKU);
    git(repo, 'commit', '-q', '-am', 'drop sku');
    expect((await check(repo, 'HEAD')).changes).toEqual([]);
    expect((await check(repo, 'HEAD~1')).changes.map((c) => c.coordinate)).toEqual(['Product.sku']);
  });

  it('skips the change check with an info line when the base does not exist', async () => {
    const repo = repoWithFixture();
    const report = await check(repo, 'no-such-branch');
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.severity, f.code])).toEqual([['info', 'BASE_UNAVAILABLE']]);
    expect(report.steps.find((s) => s.id === 'changes')?.status).toBe('skipped');
  });

  it('treats a subgraph the base does not have as new', async () => {
    const repo = repoWithFixture();
    git(repo, 'rm', '-q', '--cached', 'subgraphs/shipping/schema.graphql');
    git(repo, 'commit', '-q', '-m', 'shipping not yet committed');
    const report = await check(repo, 'HEAD');
    expect(report.findings.filter((f) => f.code === 'BASE_SUBGRAPH_NEW')).toHaveLength(1);
    expect(report.changes.map((c) => `${c.severity} ${c.coordinate}`)).toEqual(
      expect.arrayContaining(['safe Shipment', 'safe Order.shipment']),
    );
    expect(report.ok).toBe(true);
  });
});
