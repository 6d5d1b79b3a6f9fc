import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { startSupergraph, type Supergraph } from '../../hosts/supergraph.js';
import { seedAll } from '../../prisma/seed.js';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { openDatabaseFromImage } from './database-image.js';
import { GraphQLClient } from './graphql-client.js';

export interface TestSupergraph extends Supergraph {
  client: GraphQLClient;
  backend: 'pglite' | 'postgres';
  /** Runs SQL in one subgraph's own database (assertions only: tests never write behind a service's back). */
  sql<T = Record<string, unknown>>(subgraph: SubgraphName, query: string, ...params: unknown[]): Promise<T[]>;
  /** The single number a `SELECT count(*)::int AS n ...` returns. */
  count(subgraph: SubgraphName, query: string, ...params: unknown[]): Promise<number>;
  /** Statements each subgraph has sent so far. */
  statements(): Record<SubgraphName, number>;
}

/** DATABASE_URL_<NAME> for all six selects PostgreSQL (CI); otherwise PGlite from the shared image. */
export function postgresUrls(env: NodeJS.ProcessEnv = process.env): Record<string, string> | null {
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`DATABASE_URL_${n.toUpperCase()}`, env[`DATABASE_URL_${n.toUpperCase()}`]]));
  return Object.values(urls).every(Boolean) ? (urls as Record<string, string>) : null;
}

/** Empties every subgraph's tables (keeping migration bookkeeping) and seeds the demo data again. */
async function resetPostgres(urls: Record<string, string>): Promise<void> {
  const pg = await import('pg');
  for (const name of SUBGRAPH_NAMES) {
    const client = new pg.default.Client({ connectionString: urls[`DATABASE_URL_${name.toUpperCase()}`] });
    await client.connect();
    try {
      const { rows } = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename NOT IN ('_prisma_migrations', '_platform_migrations')`, [name]);
      if (rows.length) await client.query(`TRUNCATE ${rows.map((r) => `"${name}"."${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/**
 * The whole supergraph for one test file, over real HTTP on free ports: on a private PGlite made
 * from the shared image, or on the PostgreSQL databases named by DATABASE_URL_<NAME> (reset and
 * seeded first; those suites run one file at a time).
 */
/** Deletes the JetStream streams of one namespace (a test file's own, made unique per file). */
async function deleteStreams(url: string, namespace: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of [`${namespace.toUpperCase()}_EVENTS`, `${namespace.toUpperCase()}_DLQ`]) {
      await jsm.streams.delete(stream).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

export async function startTestSupergraph(env: Record<string, string> = {}): Promise<TestSupergraph> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-test-'));
  // With NATS (CI), every test file gets streams of its own, deleted when it stops.
  const natsUrl = env.NATS_URL ?? process.env.NATS_URL;
  const namespace = natsUrl ? `t${randomUUID().replace(/-/g, '').slice(0, 12)}` : undefined;
  const urls = postgresUrls();
  let pglite: PGlite | undefined;
  if (urls) {
    await resetPostgres(urls);
  } else {
    pglite = await openDatabaseFromImage(inject('databaseImage'));
  }
  const supergraph = await startSupergraph({
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      DATA_DIR: dataDir,
      OUTBOX_POLL_MS: '50',
      // the gateway asks its subgraphs' /readyz once at start, then not again: each probe runs a SQL
      // statement in every subgraph, which tests counting statements and requests must not see
      // (tests of readiness set a short interval)
      SUBGRAPH_HEALTH_INTERVAL_MS: '600000',
      // the retention pass (two DELETEs per subgraph) likewise, once a day; its own tests run it sooner
      RETENTION_INTERVAL_MS: '86400000',
      // a subgraph a test stops and starts again is back before the next request: its circuit is
      // half-open by then (after a restart, which takes longer than this), and the first request closes it
      SUBGRAPH_BREAKER_RESET_MS: '250',
      ...(urls ?? {}),
      ...(natsUrl ? { NATS_URL: natsUrl, NATS_NAMESPACE: namespace! } : {}),
      // With Redis (CI), the gateway's edge state (rate limits, ended sessions) lives there, under keys of this file's own.
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `sc:test:${randomUUID()}:` } : {}),
      ...env,
    },
    pglite,
    ephemeralPorts: true,
    beforeGateway: urls
      ? async (subgraphs) => seedAll(Object.fromEntries(Object.entries(subgraphs).map(([n, s]) => [n, s.runtime.db])) as never)
      : undefined,
  });
  return {
    ...supergraph,
    client: new GraphQLClient(supergraph.gateway.url),
    backend: urls ? 'postgres' : 'pglite',
    sql: (subgraph, query, ...params) => supergraph.subgraphs[subgraph].runtime.db.$queryRawUnsafe(query, ...params),
    count: async (subgraph, query, ...params) => {
      const [row] = await supergraph.subgraphs[subgraph].runtime.db.$queryRawUnsafe<{ n: number }[]>(query, ...params);
      return row?.n ?? 0;
    },
    statements: () => Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, supergraph.subgraphs[n].runtime.statements.total])) as Record<SubgraphName, number>,
    async stop() {
      await supergraph.stop();
      await pglite?.close();
      if (natsUrl && namespace) await deleteStreams(natsUrl, namespace);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
