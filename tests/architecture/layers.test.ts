// The layering ARCHITECTURE.md draws, held against the code: imports run one way (hosts → gateway and
// subgraphs → platform and contracts), the platform is reached through its front doors only, and
// no files import each other in a circle (madge, type-only imports included).
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#platform/config';

const SOURCE_ROOTS = ['platform', 'contracts', 'hosts', 'gateway', 'subgraphs', 'prisma', 'tools', 'bench', 'dashboard/src'];

function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...SOURCE_ROOTS], { cwd: REPO_ROOT, encoding: 'utf8' });
  return listed
    .split('\n')
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts') && !file.includes('/generated/') && !file.endsWith('.test.ts'));
}

interface Import {
  from: string;
  specifier: string;
  /** The repository file or folder it names; undefined for a package. */
  target: string | undefined;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(resolve(REPO_ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const specifier = (match[1] ?? match[2])!;
    let target: string | undefined;
    if (specifier.startsWith('.')) target = relative(REPO_ROOT, resolve(dirname(resolve(REPO_ROOT, file)), specifier));
    else if (specifier.startsWith('#platform/')) target = `platform/${specifier.slice('#platform/'.length)}`;
    else if (specifier === '#contracts') target = 'contracts';
    found.push({ from: file, specifier, target });
  }
  return found;
}

const layerOf = (path: string): string => {
  const [top, second] = path.split('/');
  return top === 'subgraphs' ? `subgraphs/${second}` : top === 'dashboard' ? 'dashboard' : top!;
};

/** Which layers each layer may import from (besides itself and packages). */
const ALLOWED: Record<string, (target: string) => boolean> = {
  platform: () => false,
  contracts: (t) => t === 'platform',
  gateway: (t) => t === 'platform' || t === 'contracts',
  prisma: (t) => t.startsWith('subgraphs/') || t === 'platform' || t === 'contracts',
  hosts: (t) => !['tools', 'bench', 'tests', 'dashboard'].includes(t),
  tools: (t) => t !== 'tests' && t !== 'dashboard',
  bench: (t) => t !== 'dashboard',
  dashboard: () => false,
};

function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  if (from.startsWith('subgraphs/')) return to === 'platform' || to === 'contracts';
  return ALLOWED[from]?.(to) ?? false;
}

describe('the layers', () => {
  const imports = sourceFiles().flatMap(importsOf);

  it('import one way: hosts → gateway and subgraphs → platform and contracts, and the platform imports none of its users', () => {
    const wrong = imports
      .filter((i) => i.target !== undefined && !allowed(layerOf(i.from), layerOf(i.target)))
      .map((i) => `${i.from} → ${i.specifier}`);
    expect(wrong).toEqual([]);
  });

  it('reach the platform and the contracts through their front doors only', () => {
    const pastTheDoor = imports
      .filter((i) => i.target !== undefined && !i.from.startsWith('platform/') && !i.from.startsWith('contracts/'))
      .filter((i) => (i.specifier.startsWith('.') && /^(platform|contracts)\//.test(i.target!)) || /^#platform\/[^/]+\//.test(i.specifier))
      .map((i) => `${i.from} → ${i.specifier}`);
    expect(pastTheDoor).toEqual([]);
  });

  it('have no import cycles, type-only imports included', async () => {
    const graph = await madge(
      SOURCE_ROOTS.filter((root) => root !== 'dashboard/src').map((root) => resolve(REPO_ROOT, root)),
      {
        baseDir: REPO_ROOT,
        fileExtensions: ['ts'],
        tsConfig: resolve(REPO_ROOT, 'tsconfig.json'),
        excludeRegExp: [/\/generated\//, /\.test\.ts$/, /node_modules/],
        detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
      },
    );
    expect(graph.circular()).toEqual([]);
  }, 60_000);
});
