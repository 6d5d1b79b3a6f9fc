// A distributed stack started outside the bench (`npm run start:distributed`), found through the
// state file its launcher writes, so that a bench driving it can still say what each process costs.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpuMsOf } from './proc.js';

/** The processes a bench measures, and the databases whose PostgreSQL backends it counts. */
export interface MeasuredStack {
  processes: { name: string; pid: number; metrics?: string }[];
  /** Admin URL of the PostgreSQL the subgraphs' databases live on, without a database. */
  postgresUrl: string;
  databases: Record<string, string>;
  /** What could not be measured, said in the output. */
  notes: string[];
}

interface StateFile {
  launcherPid: number;
  services: { name: string; pid: number; url: string; metrics: string }[];
  postgres?: Record<string, { host: string; port: number; database: string }>;
  nats?: { host: string; port: number }[];
  redis?: { host: string; port: number };
}

const isLocal = (host: string) => ['127.0.0.1', 'localhost', '::1'].includes(host);

/**
 * The Redis server the gateway asks on every request (ended sessions, shared rate limits), when it
 * listens on this machine: its CPU is part of what an order costs, shared with whatever else uses it.
 */
export function localRedis(endpoint: { host: string; port: number } | undefined): { process: { name: string; pid: number }; note: string } | undefined {
  const pid = endpoint && isLocal(endpoint.host) ? pidListeningOn(endpoint.port) : undefined;
  return pid ? { process: { name: 'redis', pid }, note: `Redis: the server on port ${endpoint!.port} (pid ${pid}), with whatever else uses it` } : undefined;
}

const sameEndpoint = (a: string, b: string) => {
  const norm = (u: string) => {
    const url = new URL(u);
    return `${url.hostname === 'localhost' ? '127.0.0.1' : url.hostname}:${url.port}${url.pathname}`;
  };
  return norm(a) === norm(b);
};

/** The pid listening on a TCP port of this machine (from /proc/net/tcp{,6} and /proc/<pid>/fd), if it can be seen. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local address is HEX_IP:HEX_PORT, state 0A is LISTEN, the inode is the tenth field
      if (fields.length > 9 && fields[3] === '0A' && parseInt(fields[1]!.split(':')[1]!, 16) === port) inodes.add(fields[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (match && inodes.has(match[1]!)) return Number(entry);
      } catch {
        // gone, or not ours to read
      }
    }
  }
  return undefined;
}

/**
 * The stack behind `gatewayUrl`, from the launcher's state file (`$DATA_DIR/distributed.json`),
 * when its gateway is that URL and its processes are alive; undefined otherwise.
 */
export function attachToRunningStack(gatewayUrl: string, stateFile: string, postgresUrl: string): MeasuredStack | undefined {
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
  const gateway = state.services.find((s) => s.name === 'gateway');
  if (!gateway || !sameEndpoint(gateway.url, gatewayUrl)) return undefined;
  if (state.services.some((s) => cpuMsOf(s.pid) === undefined)) return undefined;
  const notes: string[] = [];
  const processes: MeasuredStack['processes'] = state.services.map((s) => ({ name: s.name, pid: s.pid, metrics: s.metrics }));
  if (cpuMsOf(state.launcherPid) !== undefined) processes.push({ name: 'launcher', pid: state.launcherPid });
  const natsServer = state.nats?.find((server) => isLocal(server.host));
  const nats = natsServer ? pidListeningOn(natsServer.port) : undefined;
  if (nats) {
    processes.push({ name: 'nats', pid: nats });
    notes.push(`NATS: the server on port ${natsServer!.port} (pid ${nats}), with whatever else uses it`);
  } else notes.push('NATS: not on this machine or not visible, left out');
  const redis = localRedis(state.redis);
  if (redis) {
    processes.push(redis.process);
    notes.push(redis.note);
  } else notes.push('Redis: not on this machine or not visible, left out');
  const databases: Record<string, string> = {};
  for (const [name, target] of Object.entries(state.postgres ?? {})) if (target && isLocal(target.host)) databases[name] = target.database;
  if (Object.keys(databases).length === 0) notes.push('PostgreSQL: no database of the stack on this machine (or a launcher older than this bench), backends left out');
  return { processes, postgresUrl, databases, notes };
}
