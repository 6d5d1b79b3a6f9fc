import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { seedAll } from '../../prisma/seed.js';
import type { DatabaseTarget } from '#platform/db';
import { OUTBOX_SCHEMA } from '#platform/events';
import { migrateSubgraphs, seedTargetsOn } from '../../hosts/databases.js';
import { migrationsDirOf, SUBGRAPH_NAMES, type SubgraphName } from '#contracts';
import { REPO_ROOT } from '#platform/config';

/** Everything the image depends on: a change to any of these builds a new one. */
function fingerprint(): string {
  const hash = createHash('sha256');
  const migrations = (dir: string) => {
    for (const migration of readdirSync(dir).filter((d) => existsSync(join(dir, d, 'migration.sql'))).sort()) {
      hash.update(migration).update(readFileSync(join(dir, migration, 'migration.sql')));
    }
  };
  for (const name of SUBGRAPH_NAMES) {
    migrations(migrationsDirOf(name));
    hash.update(readFileSync(resolve(REPO_ROOT, 'prisma', name, 'seed.ts')));
  }
  migrations(OUTBOX_SCHEMA.migrationsDir);
  hash.update(readFileSync(resolve(REPO_ROOT, 'prisma/demo-data.ts')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A PGlite data dir with all six subgraphs migrated and seeded, built once and cached by content:
 * every test database starts from it (about half a second) instead of migrating and seeding.
 */
export async function buildDatabaseImage(): Promise<string> {
  const dir = join(tmpdir(), 'supergraph-commerce-test-images');
  const file = join(dir, `${fingerprint()}.tar`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const db = new PGlite();
  try {
    const target = { kind: 'pglite', pglite: db } as const;
    const everySubgraph = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, target])) as Record<SubgraphName, DatabaseTarget>;
    await migrateSubgraphs(everySubgraph);
    const targets = seedTargetsOn(everySubgraph);
    await seedAll(targets);
    await targets.disconnect();
    const dump = await db.dumpDataDir('none');
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return file;
  } finally {
    await db.close();
  }
}

/** A fresh database from the image: migrated, seeded, and private to the caller. */
export async function openDatabaseFromImage(file: string): Promise<PGlite> {
  const db = new PGlite({ loadDataDir: new Blob([readFileSync(file)]) });
  await db.waitReady;
  return db;
}
