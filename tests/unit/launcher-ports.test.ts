import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#platform/config';
import { assertPortsFree } from '../../hosts/distributed/ports.js';

const servers: Server[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'sc-distributed-ports-'));

/** A port something already listens on (127.0.0.1, as the launcher's default HOST). */
async function takenPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a launcher to its exit with `env` over a development environment of its own. */
async function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const launcher = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => launcher.once('exit', resolve));
  return { code, output };
}

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the launchers and the ports of their stack', () => {
  it('start:distributed lets the stack start when none of its ports is taken', async () => {
    await expect(assertPortsFree('127.0.0.1', [{ service: 'orders', port: await freePort(), variable: 'ORDERS_PORT' }])).resolves.toBeUndefined();
  });

  it('start:distributed names every taken port with its service and variable', async () => {
    const [orders, gateway] = [await takenPort(), await takenPort()];
    const check = assertPortsFree('127.0.0.1', [
      { service: 'orders', port: orders, variable: 'ORDERS_PORT' },
      { service: 'catalog', port: await freePort(), variable: 'CATALOG_PORT' },
      { service: 'gateway', port: gateway, variable: 'PORT' },
    ]);
    await expect(check).rejects.toThrow(`ports of the stack already in use on 127.0.0.1: orders ${orders} (ORDERS_PORT), gateway ${gateway} (PORT)`);
  });

  it('start:distributed refuses to start when a port is taken, before it touches NATS, Redis or a database, instead of taking what listens there for its own process', async () => {
    const inventory = await takenPort();
    const { code, output } = await run('hosts/distributed.ts', {
      // NATS unreachable: had the launcher gone past the port check, it would fail on NATS instead
      NATS_URL: 'nats://127.0.0.1:1',
      INVENTORY_PORT: String(inventory),
    });
    expect(code).toBe(1);
    expect(output).toContain(`inventory ${inventory} (INVENTORY_PORT)`);
    expect(output).not.toContain('NATS is not reachable');
    expect(output).not.toContain('start:distributed | ready');
    expect(existsSync(join(dataDir, 'distributed.json'))).toBe(false);
  }, 30_000);

  it('npm start says which port is taken and how to move it, instead of a stack trace', async () => {
    const accounts = await takenPort();
    const { code, output } = await run('hosts/embedded.ts', { SEED_DEMO_DATA: 'off', ACCOUNTS_PORT: String(accounts) });
    expect(code).toBe(1);
    expect(output).toContain(`Port ${accounts} on 127.0.0.1 is already in use`);
    expect(output).toContain('<NAME>_PORT for a subgraph');
    expect(output).not.toContain('UVExceptionWithHostPort');
  }, 60_000);
});
