// What an order costs: CPU per process read from /proc, and the counters the processes keep
// (statements per subgraph, events published and handled) read from their Prometheus text.
import pg from 'pg';
import { cpuMsOf } from '../lib/proc.js';

export { cpuMsOf };

/**
 * CPU used over a window by named processes and by the PostgreSQL backends serving some databases.
 * Backends come and go with pool connections: they are looked up every second, a new one counts
 * from zero, and one that ends keeps its last reading.
 */
export class CpuMeter {
  private readonly start = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly backends = new Map<number, { group: string; start: number; last: number }>();
  private timer: NodeJS.Timeout | undefined;
  private pgClient: pg.Client | undefined;

  constructor(
    private readonly processes: { name: string; pid: number }[],
    private readonly postgres?: { url: string; databases: Record<string, string> },
  ) {}

  async begin(): Promise<void> {
    for (const { name, pid } of this.processes) this.start.set(name, cpuMsOf(pid) ?? 0);
    if (this.postgres) {
      this.pgClient = new pg.Client({ connectionString: this.postgres.url });
      await this.pgClient.connect();
      await this.pollBackends(true);
      this.timer = setInterval(() => void this.pollBackends(false).catch(() => undefined), 1_000);
    }
  }

  /** CPU ms per process name (and per `postgres <group>` for backends) since `begin`. */
  async end(): Promise<Map<string, number>> {
    if (this.timer) clearInterval(this.timer);
    const used = new Map<string, number>();
    for (const { name, pid } of this.processes) {
      const now = cpuMsOf(pid) ?? this.last.get(name) ?? this.start.get(name)!;
      used.set(name, now - this.start.get(name)!);
    }
    if (this.pgClient) {
      await this.pollBackends(false);
      for (const backend of this.backends.values()) {
        const key = `postgres ${backend.group}`;
        used.set(key, (used.get(key) ?? 0) + backend.last - backend.start);
      }
      await this.pgClient.end();
    }
    return used;
  }

  private async pollBackends(first: boolean): Promise<void> {
    const names = Object.values(this.postgres!.databases);
    const { rows } = await this.pgClient!.query<{ pid: number; datname: string }>(
      'SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
      [names],
    );
    const groupOf = new Map(Object.entries(this.postgres!.databases).map(([group, db]) => [db, group]));
    for (const { pid, datname } of rows) {
      const now = cpuMsOf(pid);
      if (now === undefined) continue;
      const known = this.backends.get(pid);
      if (known) known.last = now;
      else this.backends.set(pid, { group: groupOf.get(datname)!, start: first ? now : 0, last: now });
    }
  }
}

/** Sums a counter of Prometheus text by one of its labels. */
export function counterBy(text: string, metric: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  const pattern = new RegExp(`^${metric}\\{([^}]*)\\} ([0-9.e+-]+)$`, 'gm');
  for (const match of text.matchAll(pattern)) {
    const value = /(?:^|,)\s*([a-z_]+)="([^"]*)"/g;
    let key = '';
    for (const pair of match[1]!.matchAll(value)) if (pair[1] === label) key = pair[2]!;
    sums.set(key, (sums.get(key) ?? 0) + Number(match[2]));
  }
  return sums;
}

/** The counters an order moves, summed over every process. */
export interface Counters {
  statements: Map<string, number>;
  published: Map<string, number>;
  consumed: Map<string, number>;
}

export function countersOf(texts: string[]): Counters {
  const merge = (maps: Map<string, number>[]) => {
    const merged = new Map<string, number>();
    for (const map of maps) for (const [k, v] of map) merged.set(k, (merged.get(k) ?? 0) + v);
    return merged;
  };
  return {
    statements: merge(texts.map((t) => counterBy(t, 'db_statements_total', 'service'))),
    published: merge(texts.map((t) => counterBy(t, 'events_published_total', 'type'))),
    consumed: merge(texts.map((t) => counterBy(t, 'events_consumed_total', 'consumer'))),
  };
}

export function difference(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const result = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) result.set(k, v - (before.get(k) ?? 0));
  return result;
}

/** Transactions and rows per database from pg_stat_database (PostgreSQL publishes them within a second or so). */
export async function databaseActivity(url: string, databases: Record<string, string>): Promise<Map<string, { commits: number; rollbacks: number; inserted: number; updated: number }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string; commits: string; rollbacks: string; inserted: string; updated: string }>(
      `SELECT datname, xact_commit AS commits, xact_rollback AS rollbacks, tup_inserted AS inserted, tup_updated AS updated
         FROM pg_stat_database WHERE datname = ANY($1)`,
      [Object.values(databases)],
    );
    const groupOf = new Map(Object.entries(databases).map(([group, db]) => [db, group]));
    return new Map(rows.map((r) => [groupOf.get(r.datname)!, { commits: Number(r.commits), rollbacks: Number(r.rollbacks), inserted: Number(r.inserted), updated: Number(r.updated) }]));
  } finally {
    await client.end();
  }
}
