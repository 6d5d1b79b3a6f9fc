// The published demo logins in production: `npm start` with NODE_ENV=production seeds nothing unless
// SEED_DEMO_DATA=on, `npm run db:seed` refuses without it, and a production start over data where a
// demo account still has the published password refuses to start, saying how to proceed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#platform/config';
import { productionEnv, rawPost } from '../harness/hostile.js';

const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');
// production enforces trusted documents: the manifest's own SignIn
const SIGN_IN = (JSON.parse(readFileSync(join(REPO_ROOT, 'schema/trusted-documents.json'), 'utf8')) as { operations: { name: string; body: string }[] }).operations.find(
  (op) => op.name === 'SignIn',
)!.body;

interface Run {
  child: ChildProcess;
  output: () => string;
  /** The gateway URL once ready, or the exit code when the process ended first. */
  outcome: Promise<{ url: string } | { exitCode: number | null }>;
}

function run(script: string, env: Record<string, string>): Run {
  const child = spawn(TSX, [join(REPO_ROOT, script)], { cwd: REPO_ROOT, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const outcome = new Promise<{ url: string } | { exitCode: number | null }>((resolve) => {
    const look = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const ready = /is ready in [\d.]+ s: (http:\/\/\S+\/graphql)/.exec(text);
      if (ready) resolve({ url: ready[1]! });
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (exitCode) => resolve({ exitCode }));
  });
  return { child, output: () => text, outcome };
}

async function stop(running: Run): Promise<void> {
  if (running.child.exitCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
}

describe('demo data in production', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sc-demo-'));
    // ports 0: the embedded host takes free ones and prints the gateway's
    env = { ...(await productionEnv()), SEED_DEMO_DATA: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0', OTEL_SDK_DISABLED: 'true' };
    for (const name of ['ACCOUNTS', 'CATALOG', 'INVENTORY', 'ORDERS', 'PAYMENTS', 'SHIPPING']) env[`${name}_PORT`] = '0';
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm run db:seed refuses in production without SEED_DEMO_DATA=on', async () => {
    const seeding = run('hosts/seed.ts', env);
    expect(await seeding.outcome).toEqual({ exitCode: 1 });
    expect(seeding.output()).toMatch(/refusing to seed the demo data .* in production; set SEED_DEMO_DATA=on/);
  });

  it('npm start in production seeds nothing: the demo logins do not exist', async () => {
    const started = run('hosts/embedded.ts', env);
    try {
      const outcome = await started.outcome;
      expect(outcome, started.output()).toHaveProperty('url');
      expect(started.output()).not.toMatch(/demo-password/);
      const { url } = outcome as { url: string };
      const login = await rawPost(url, JSON.stringify({ query: SIGN_IN, variables: { tenant: 'acme', email: 'admin@acme.test', password: 'demo-password' } }));
      expect(login.body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(login.body?.data ?? null).toBeNull();
    } finally {
      await stop(started);
    }
  });

  it('seeds in production only with SEED_DEMO_DATA=on, and then refuses to start without it while the demo passwords work', async () => {
    const demo = run('hosts/embedded.ts', { ...env, SEED_DEMO_DATA: 'on' });
    try {
      const outcome = await demo.outcome;
      expect(outcome, demo.output()).toHaveProperty('url');
      const login = await rawPost((outcome as { url: string }).url, JSON.stringify({ query: SIGN_IN, variables: { tenant: 'acme', email: 'admin@acme.test', password: 'demo-password' } }));
      expect(login.body?.data?.login?.token).toEqual(expect.any(String));
    } finally {
      await stop(demo);
    }
    const refused = run('hosts/embedded.ts', env);
    try {
      expect(await refused.outcome).toEqual({ exitCode: 1 });
      const output = refused.output();
      expect(output).toMatch(/refusing to start in production: 4 account\(s\) still sign in with the published demo password/);
      expect(output).toMatch(/admin@acme\.test/);
      expect(output).toMatch(/Delete the demo tenants \(acme, globex\) or change those passwords; for a demonstration on purpose, set SEED_DEMO_DATA=on/);
    } finally {
      await stop(refused);
    }
  });
});
