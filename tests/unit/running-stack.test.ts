import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachToRunningStack, pidListeningOn } from '../../bench/lib/running-stack.js';

// bench:checkout --gateway measures a stack started by `npm run start:distributed` through the state
// file its launcher writes: this process stands in for every service of that stack.
const dir = mkdtempSync(join(tmpdir(), 'sc-running-stack-'));
let server: Server;
let port: number;

function stateFile(state: object): string {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(state));
  return file;
}

const services = (gatewayUrl: string, pid = process.pid) => [
  { name: 'orders', pid, url: 'http://127.0.0.1:4004/graphql', metrics: 'http://127.0.0.1:4004/metrics' },
  { name: 'gateway', pid, url: gatewayUrl, metrics: 'http://127.0.0.1:4000/metrics' },
];

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("bench:checkout's view of a stack started outside it", () => {
  it('finds the process listening on a port', () => {
    expect(pidListeningOn(port)).toBe(process.pid);
  });

  it("measures the launcher's processes, the local NATS and Redis servers and the databases on this machine when the state file names that gateway", () => {
    const file = stateFile({
      launcherPid: process.pid,
      services: services('http://localhost:4000/graphql'),
      postgres: { orders: { host: '127.0.0.1', port: 5432, database: 'sc_orders' }, payments: { host: 'db.internal', port: 5432, database: 'sc_payments' } },
      nats: [{ host: '127.0.0.1', port }],
      redis: { host: 'localhost', port },
    });
    const stack = attachToRunningStack('http://127.0.0.1:4000/graphql', file, 'postgresql://postgres@127.0.0.1:5432');
    expect(stack?.processes.map((p) => p.name)).toEqual(['orders', 'gateway', 'launcher', 'nats', 'redis']);
    expect(stack?.processes.find((p) => p.name === 'nats')?.pid).toBe(process.pid);
    // a database on another host has backends this machine's /proc cannot see
    expect(stack?.databases).toEqual({ orders: 'sc_orders' });
  });

  it('says what it leaves out: NATS and Redis elsewhere, no database on this machine', () => {
    const file = stateFile({ launcherPid: process.pid, services: services('http://127.0.0.1:4000/graphql'), nats: [{ host: 'nats.internal', port: 4222 }], redis: { host: 'redis.internal', port: 6379 } });
    const stack = attachToRunningStack('http://127.0.0.1:4000/graphql', file, 'postgresql://postgres@127.0.0.1:5432');
    expect(stack?.processes.map((p) => p.name)).toEqual(['orders', 'gateway', 'launcher']);
    expect(stack?.notes.join(' ')).toMatch(/NATS: not on this machine.*Redis: not on this machine.*PostgreSQL: no database of the stack on this machine/);
  });

  it('measures nothing it cannot vouch for: another gateway, a stack that has stopped, no state file', () => {
    const elsewhere = stateFile({ launcherPid: process.pid, services: services('http://127.0.0.1:5000/graphql') });
    expect(attachToRunningStack('http://127.0.0.1:4000/graphql', elsewhere, 'postgresql://postgres@127.0.0.1:5432')).toBeUndefined();
    const stopped = stateFile({ launcherPid: 2 ** 22 + 1, services: services('http://127.0.0.1:4000/graphql', 2 ** 22 + 1) });
    expect(attachToRunningStack('http://127.0.0.1:4000/graphql', stopped, 'postgresql://postgres@127.0.0.1:5432')).toBeUndefined();
    expect(attachToRunningStack('http://127.0.0.1:4000/graphql', join(dir, 'none.json'), 'postgresql://postgres@127.0.0.1:5432')).toBeUndefined();
  });
});
