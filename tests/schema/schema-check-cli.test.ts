// `npm run schema:check` as CI runs it: the report on stdout, the verdict in the exit code.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SchemaCheckReport } from '../../tools/schema/report.js';

const root = resolve(import.meta.dirname, '../..');

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [resolve(root, 'node_modules/tsx/dist/cli.mjs'), 'tools/schema-check.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('schema:check command', () => {
  it('prints the report as JSON with --format json and exits 1 exactly when it has errors', () => {
    const { status, stdout } = cli('--format', 'json', '--skip-migrations');
    const report = JSON.parse(stdout) as SchemaCheckReport;
    expect(report.steps.map((s) => s.id)).toEqual(['composition', 'drift', 'changes', 'operations', 'lint', 'migrations']);
    expect(report.steps.at(-1)?.status).toBe('skipped');
    expect(status).toBe(report.counts.error > 0 ? 1 : 0);
    expect(report.ok).toBe(report.counts.error === 0);
  });

  it('prints a text report grouped by severity, ending with the verdict', () => {
    const { status, stdout } = cli('--skip-migrations', '--base', 'no-such-ref-for-the-test');
    expect(stdout).toMatch(/^Schema check against no-such-ref-for-the-test/);
    expect(stdout).toContain('INFO');
    expect(stdout).toContain('no base schema: git ref "no-such-ref-for-the-test" does not exist');
    expect(stdout).toMatch(/\n {2}1\. \w+ +subgraphs are valid and compose: /);
    expect(stdout).toMatch(status === 0 ? /\nPASSED: 0 errors/ : /\nFAILED: \d+ errors?/);
  });

  it('refuses unknown flags and formats with exit code 2', () => {
    expect(cli('--format', 'xml').status).toBe(2);
    const unknown = cli('--lenient');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('usage: npm run schema:check');
  });
});
