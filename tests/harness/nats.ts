import { execFileSync } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

/** The machine's NATS server (see the env notes). No test stops it: one that needs NATS to go away runs a nats-server of its own (NatsProcess). */
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const NATS_SERVER = '/usr/sbin/nats-server';
const NATS_ARGS = ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', '/var/lib/nats-server', '-l', '/var/log/nats-server.log'];

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function natsAcceptsConnections(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: 4222 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts NATS unless it runs, then waits until JetStream answers. */
export async function ensureNatsRunning(): Promise<void> {
  execFileSync('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', NATS_SERVER, '--', ...NATS_ARGS], { stdio: 'ignore' });
  await waitFor('NATS to accept connections', natsAcceptsConnections, 30_000);
  await waitFor(
    'JetStream to answer',
    async () => {
      try {
        const probe = await connect({ servers: NATS_URL, timeout: 1_000 });
        try {
          await (await jetstreamManager(probe)).getAccountInfo();
          return true;
        } finally {
          await probe.close();
        }
      } catch {
        return false;
      }
    },
    30_000,
  );
}

